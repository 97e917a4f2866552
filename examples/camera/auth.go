package main

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/auth"
	"github.com/microdot-go/microdot/microdot/login"
	"github.com/microdot-go/microdot/microdot/session"
)

// sessionCookie is the name of the cookie that carries the session.
const sessionCookie = "camera_session"

// cameraUser is the one user of the camera: whoever knows the password.
const cameraUser = "admin"

// maxRevoked bounds the memory that logouts can take: past it, every
// session is closed at once (see revocations).
const maxRevoked = 1000

// Auth logs the camera's user in with the password, into a signed session
// cookie (the dashboard) whose value is also a bearer token (scripts, curl):
// the microdot session, login and auth packages do the work. Failed
// passwords and wrong tokens are throttled per client address.
type Auth struct {
	password [sha256.Size]byte // the password's SHA-256
	ttl      time.Duration

	sess    *session.Session
	login   *login.Login
	token   *auth.TokenAuth
	revoked revocations
}

// NewAuth returns an Auth for password whose sessions last ttl, signed with
// secretKey; an empty key picks a random one, so that restarting the
// camera logs everyone out. logger receives the throttling records.
func NewAuth(password string, ttl time.Duration, secretKey string, logger *slog.Logger) (*Auth, error) {
	if secretKey == "" {
		secretKey = rand.Text() + rand.Text() // 52 base32 characters, 260 random bits
	}
	sess, err := session.New(nil, secretKey)
	if err != nil {
		return nil, err
	}
	a := &Auth{password: sha256.Sum256([]byte(password)), ttl: ttl, sess: sess}
	a.revoked.m = map[string]int64{}
	// SameSite: the dashboard (http://127.0.0.1:8081) and the API
	// (http://127.0.0.1:8080) are different origins but the same site (a
	// site is the scheme and the registrable domain, ports do not count), so
	// even a Strict cookie goes with the dashboard's credentialed fetches,
	// and is never sent with a request that another site starts. Secure is
	// off because the example serves plain http; turn it on under https.
	sess.Cookie.Name = sessionCookie
	sess.Cookie.Path = "/api"
	sess.Cookie.SameSite = http.SameSiteStrictMode
	sess.Cookie.MaxAge = int(ttl.Seconds())

	limiter := auth.NewLimiter(auth.Limit{Logger: logger})
	a.login = login.New(sess, a.loadUser)
	a.login.Limiter = limiter
	a.token = auth.NewToken(func(req *microdot.Request, token string) (any, error) {
		claims, err := sess.Decode(token)
		if err != nil {
			return nil, nil
		}
		return a.userOf(claims), nil
	})
	a.token.Limiter = limiter
	a.token.ErrorHandler = a.unauthorized
	return a, nil
}

// loadUser is the login's user loader: the session's user, unless the
// session was closed by a logout.
func (a *Auth) loadUser(req *microdot.Request, id string) (any, error) {
	if id != cameraUser {
		return nil, nil
	}
	return a.userOf(a.sess.Get(req)), nil
}

// userOf returns the user of a session's claims, or nil when they hold none
// or belong to a session that was closed.
func (a *Auth) userOf(claims map[string]any) any {
	sid, _ := claims["sid"].(string)
	gen, _ := claims["gen"].(float64)
	if claims["_user_id"] != cameraUser || sid == "" || a.revoked.closed(sid, gen) {
		return nil
	}
	return cameraUser
}

// checkPassword compares digests in constant time: the time taken tells
// nothing about how much of the password is right, nor about its length.
func (a *Auth) checkPassword(password string) bool {
	given := sha256.Sum256([]byte(password))
	return subtle.ConstantTimeCompare(given[:], a.password[:]) == 1
}

// user returns the user that req authenticates as, or nil. A request with
// an Authorization header is judged by its token alone: a wrong token is
// not rescued by a good cookie.
func (a *Auth) user(req *microdot.Request) (any, error) {
	if req.Header.Get("Authorization") != "" {
		var user any
		_, err := a.token.Optional(func(req *microdot.Request) (*microdot.Response, error) {
			user = auth.CurrentUser(req)
			return nil, nil
		})(req)
		return user, err
	}
	return a.login.CurrentUser(req)
}

// requireAuth wraps h so that requests without valid credentials get 401,
// and clients that sent too many wrong tokens 429.
func (a *Auth) requireAuth(h microdot.Handler) microdot.Handler {
	bearer := a.token.Required(h)
	return func(req *microdot.Request) (*microdot.Response, error) {
		if req.Header.Get("Authorization") != "" {
			res, err := bearer(req)
			return jsonTooMany(res), err
		}
		user, err := a.login.CurrentUser(req)
		if err != nil {
			return nil, err
		}
		if user == nil {
			return a.unauthorized(req)
		}
		return h(req)
	}
}

func (a *Auth) unauthorized(*microdot.Request) (*microdot.Response, error) {
	return apiError(http.StatusUnauthorized, "log in first: POST /api/login with the password, then send the session cookie or an Authorization: Bearer token").
		SetHeader("WWW-Authenticate", `Bearer realm="camera"`), nil
}

// jsonTooMany turns the limiter's 429 into the API's JSON error; other
// responses are returned as they are.
func jsonTooMany(res *microdot.Response) *microdot.Response {
	if res == nil || res.StatusCode != http.StatusTooManyRequests {
		return res
	}
	wait := res.Header.Get("Retry-After")
	return apiError(http.StatusTooManyRequests, "too many failed attempts from your address: retry in "+wait+" seconds").
		SetHeader("Retry-After", wait)
}

// loginRequest is the body of POST /api/login.
type loginRequest struct {
	Password string `json:"password"`
}

// loginResponse is the answer to a successful login: the token is the
// value of the session cookie, for an Authorization: Bearer header.
type loginResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (a *Auth) handleLogin(req *microdot.Request) (*microdot.Response, error) {
	if res := a.login.Limiter.TooMany(req); res != nil {
		return jsonTooMany(res), nil
	}
	var body loginRequest
	if err := req.DecodeJSON(&body); err != nil {
		return nil, err
	}
	if !a.checkPassword(body.Password) {
		a.login.Failed(req)
		return apiError(http.StatusUnauthorized, "wrong password"), nil
	}
	expires := time.Now().Add(a.ttl).UTC().Truncate(time.Second)
	data := a.sess.Get(req)
	clear(data)
	data["sid"] = rand.Text()
	data["exp"] = expires.Unix()
	data["gen"] = a.revoked.generation()
	if _, err := a.login.LoginUser(req, cameraUser, cameraUser, 0); err != nil {
		return nil, err
	}
	token, err := a.sess.Encode(a.sess.Get(req)) // what the cookie holds
	if err != nil {
		return nil, err
	}
	return microdot.JSON(loginResponse{Token: token, ExpiresAt: expires}).SetHeader("Cache-Control", "no-store"), nil
}

func (a *Auth) handleLogout(req *microdot.Request) (*microdot.Response, error) {
	claims := a.sess.Get(req)
	if tok, ok := auth.ParseToken(req.Header, "Authorization", "Bearer"); ok {
		if c, err := a.sess.Decode(tok); err == nil {
			claims = c
		}
	}
	if sid, ok := claims["sid"].(string); ok {
		exp, _ := claims["exp"].(float64)
		a.revoked.add(sid, int64(exp))
	}
	if err := a.login.LogoutUser(req); err != nil {
		return nil, err
	}
	a.sess.Delete(req)
	return microdot.JSON(map[string]bool{"authenticated": false}), nil
}

func (a *Auth) handleSession(req *microdot.Request) (*microdot.Response, error) {
	user, err := a.user(req)
	if err != nil {
		return nil, err
	}
	return microdot.JSON(map[string]bool{"authenticated": user != nil}).
		SetHeader("Cache-Control", "no-store"), nil
}

// revocations are the sessions closed by a logout before they expired:
// their tokens are signed and unexpired, so they must be refused by name
// until they expire. Past maxRevoked entries, every session is closed at
// once (generation moves on), so that memory stays bounded without ever
// reopening a closed session.
type revocations struct {
	mu  sync.Mutex
	m   map[string]int64 // sid -> expiry (Unix seconds)
	gen float64          // the generation of the sessions that may be open
}

// generation returns the generation that new sessions belong to.
func (r *revocations) generation() float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.gen
}

func (r *revocations) add(sid string, exp int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now().Unix()
	for k, e := range r.m {
		if e <= now {
			delete(r.m, k)
		}
	}
	if len(r.m) >= maxRevoked {
		clear(r.m)
		r.gen++
		return
	}
	r.m[sid] = exp
}

// closed reports whether the session sid of generation gen is closed.
func (r *revocations) closed(sid string, gen float64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.m[sid]
	return ok || gen != r.gen
}
