package login

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/auth"
	"github.com/microdot-go/microdot/microdot/session"
)

// RememberCookie is the name of the "remember me" cookie; Microdot uses the
// same.
const RememberCookie = "_remember"

// DefaultRemember is the "remember me" duration that Microdot uses for
// remember=True: 30 days.
const DefaultRemember = 30 * 24 * time.Hour

// Session keys, as Microdot names them.
const (
	userIDKey = "_user_id"
	freshKey  = "_fresh"
)

// Login keeps the logged-in user in a session. Set its fields before the
// App serves its first request.
type Login struct {
	// URL is the login page that Required redirects to, with the
	// requested URL in its "next" query argument: "/login" unless changed.
	URL string
	// RedirectURL is where LoginUser sends the user when the request has
	// no acceptable "next": "/" unless changed.
	RedirectURL string
	// ErrorHandler, when set, answers requests that Required or Fresh
	// refuse, in place of the redirect to URL: an API can answer 401.
	ErrorHandler func(req *microdot.Request) (*microdot.Response, error)
	// Limiter throttles clients that fail to log in too often (see
	// Throttle and Failed). New sets one with the default auth.Limit; nil
	// turns throttling off.
	Limiter *auth.Limiter

	session *session.Session
	load    func(req *microdot.Request, id string) (any, error)
}

// New returns a Login that keeps users in s. load returns the user with
// the given id (what LoginUser stored), nil when there is none any more, or
// an error that becomes the response.
func New(s *session.Session, load func(req *microdot.Request, id string) (user any, err error)) *Login {
	if s == nil || load == nil {
		panic("login: New needs a session and a user loader")
	}
	return &Login{URL: "/login", RedirectURL: "/", Limiter: auth.NewLimiter(auth.Limit{}), session: s, load: load}
}

// loadedKey marks a request whose user has been looked up.
const loadedKey = "microdot/login:loaded"

// CurrentUser returns the user logged in on req, or nil: the user whose id
// the session holds or, when the session holds none, the one that a valid
// "remember me" cookie names (which logs them in again, not fresh). The
// user is also what auth.CurrentUser returns for the rest of the request.
func (l *Login) CurrentUser(req *microdot.Request) (any, error) {
	if _, ok := req.Get(loadedKey); ok {
		return auth.CurrentUser(req), nil
	}
	id, ok := l.userID(req)
	var user any
	if ok {
		u, err := l.load(req, id)
		if err != nil {
			return nil, err
		}
		user = u
	}
	req.Set(loadedKey, true)
	auth.SetCurrentUser(req, user)
	return user, nil
}

// userID returns the id of the user logged in on req.
func (l *Login) userID(req *microdot.Request) (string, bool) {
	data := l.session.Get(req)
	if id, ok := idString(data[userIDKey]); ok {
		return id, true
	}
	c, err := req.Cookie(RememberCookie)
	if err != nil {
		return "", false
	}
	claims, err := l.session.Decode(c.Value)
	if err != nil {
		return "", false
	}
	id, ok := idString(claims["user_id"])
	if !ok {
		return "", false
	}
	remember := DefaultRemember
	if days, ok := claims["days"].(float64); ok && days > 0 && days <= 3650 {
		remember = time.Duration(days * float64(24*time.Hour))
	}
	data[userIDKey] = id
	data[freshKey] = false
	if l.session.Save(req, data) != nil || l.remember(req, id, remember) != nil {
		return "", false
	}
	return id, true
}

// idString returns a user id as stored in a session: a string, or a
// number as Microdot apps store integer ids.
func idString(v any) (string, bool) {
	switch id := v.(type) {
	case string:
		return id, id != ""
	case float64:
		if id != math.Trunc(id) || math.IsInf(id, 0) {
			return "", false
		}
		return strconv.FormatFloat(id, 'f', -1, 64), true
	}
	return "", false
}

// LoginUser logs user in on req under id (any string that load accepts),
// fresh, and returns the redirect to the request's "next" query argument,
// or to RedirectURL when it has none or one that is not a local path. A
// positive remember also sets the "remember me" cookie for that long (use
// DefaultRemember for Microdot's remember=True).
func (l *Login) LoginUser(req *microdot.Request, id string, user any, remember time.Duration) (*microdot.Response, error) {
	if id == "" {
		return nil, fmt.Errorf("login: LoginUser needs a non-empty user id")
	}
	data := l.session.Get(req)
	data[userIDKey] = id
	data[freshKey] = true
	if err := l.session.Save(req, data); err != nil {
		return nil, err
	}
	req.Set(loadedKey, true)
	auth.SetCurrentUser(req, user)
	if remember > 0 {
		if err := l.remember(req, id, remember); err != nil {
			return nil, err
		}
	}
	next := req.Args().Get("next")
	if !LocalPath(next) {
		next = l.RedirectURL
	}
	return microdot.Redirect(next), nil
}

// LogoutUser logs the user of req out: the session forgets them, and the
// "remember me" cookie, if the request has one, is deleted.
func (l *Login) LogoutUser(req *microdot.Request) error {
	data := l.session.Get(req)
	delete(data, userIDKey)
	delete(data, freshKey)
	if err := l.session.Save(req, data); err != nil {
		return err
	}
	req.Set(loadedKey, true)
	auth.SetCurrentUser(req, nil)
	if _, err := req.Cookie(RememberCookie); err == nil {
		l.setRemember(req, "", -1)
	}
	return nil
}

// remember sets the "remember me" cookie for id, valid for d.
func (l *Login) remember(req *microdot.Request, id string, d time.Duration) error {
	token, err := l.session.Encode(map[string]any{
		"user_id": id,
		"days":    d.Hours() / 24,
		"exp":     time.Now().Add(d).Unix(),
	})
	if err != nil {
		return err
	}
	l.setRemember(req, token, int(d.Seconds()))
	return nil
}

// setRemember makes the response carry the "remember me" cookie, with the
// session cookie's attributes.
func (l *Login) setRemember(req *microdot.Request, value string, maxAge int) {
	c := l.session.Cookie
	c.Name, c.Value, c.MaxAge, c.Expires = RememberCookie, value, maxAge, time.Time{}
	req.AfterRequest(func(req *microdot.Request, res *microdot.Response) *microdot.Response {
		_ = res.SetCookie(&c) // the template was checked by the session's Save
		return nil
	})
}

// Required returns h for logged-in users only: a request without one gets
// the redirect to URL (or ErrorHandler's response) and never reaches h.
func (l *Login) Required(h microdot.Handler) microdot.Handler {
	return func(req *microdot.Request) (*microdot.Response, error) {
		user, err := l.CurrentUser(req)
		if err != nil {
			return nil, err
		}
		if user == nil {
			return l.refuse(req)
		}
		return h(req)
	}
}

// Fresh is Required for sensitive routes: it also refuses users whose
// login was restored from the "remember me" cookie rather than made on the
// login page in this session.
func (l *Login) Fresh(h microdot.Handler) microdot.Handler {
	required := l.Required(h)
	return func(req *microdot.Request) (*microdot.Response, error) {
		if fresh, _ := l.session.Get(req)[freshKey].(bool); !fresh {
			return l.refuse(req)
		}
		return required(req)
	}
}

// refuse answers a request that needs a login.
func (l *Login) refuse(req *microdot.Request) (*microdot.Response, error) {
	if l.ErrorHandler != nil {
		return l.ErrorHandler(req)
	}
	next := strings.ReplaceAll(url.QueryEscape(req.URL.RequestURI()), "%2F", "/")
	return microdot.Redirect(l.URL + "?next=" + next), nil
}

// Throttle returns h behind the Limiter: a client that failed to log in
// too often gets 429 with Retry-After, and h does not run (so the password
// is not even checked). Wrap the handler of the login form with it.
func (l *Login) Throttle(h microdot.Handler) microdot.Handler {
	return func(req *microdot.Request) (*microdot.Response, error) {
		if res := l.Limiter.TooMany(req); res != nil {
			return res, nil
		}
		return h(req)
	}
}

// Failed records a failed login attempt by the client of req, for
// Throttle. Call it when the password is wrong.
func (l *Login) Failed(req *microdot.Request) {
	if l.Limiter != nil {
		l.Limiter.Fail(req.Request)
	}
}

// LocalPath reports whether next is a path on this site that a redirect
// may safely go to: it starts with one "/", and has no scheme, host,
// backslash or control character, so that neither "//evil.example" nor
// "/\evil.example" nor "https://evil.example" leaves the site.
func LocalPath(next string) bool {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\") {
		return false
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	u, err := url.Parse(next)
	return err == nil && u.Scheme == "" && u.Host == "" && u.User == nil
}
