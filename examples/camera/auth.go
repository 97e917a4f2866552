package main

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/microdot-go/microdot/microdot"
)

// sessionCookie is the name of the cookie that carries the session token.
const sessionCookie = "camera_session"

// maxSessions bounds the memory that logins can take: past it, the session
// closest to expiry is dropped.
const maxSessions = 1000

// Auth checks the password and keeps the sessions opened with it, in memory:
// restarting the camera logs everyone out.
type Auth struct {
	password [sha256.Size]byte // the password's SHA-256
	ttl      time.Duration

	mu       sync.Mutex
	sessions map[[sha256.Size]byte]time.Time // token SHA-256 -> expiry
}

// NewAuth returns an Auth for password whose sessions last ttl.
func NewAuth(password string, ttl time.Duration) *Auth {
	return &Auth{
		password: sha256.Sum256([]byte(password)),
		ttl:      ttl,
		sessions: map[[sha256.Size]byte]time.Time{},
	}
}

// Login checks password and, when it is right, opens a session and returns
// its token and expiry.
func (a *Auth) Login(password string) (token string, expires time.Time, ok bool) {
	// Comparing digests in constant time: the time taken tells nothing about
	// how much of the password is right, nor about its length.
	given := sha256.Sum256([]byte(password))
	if subtle.ConstantTimeCompare(given[:], a.password[:]) != 1 {
		return "", time.Time{}, false
	}
	token = rand.Text() // 26 base32 characters, 130 random bits
	now := time.Now()
	expires = now.Add(a.ttl)

	a.mu.Lock()
	defer a.mu.Unlock()
	for k, exp := range a.sessions {
		if !now.Before(exp) {
			delete(a.sessions, k)
		}
	}
	if len(a.sessions) >= maxSessions {
		var oldest [sha256.Size]byte
		var first time.Time
		for k, exp := range a.sessions {
			if first.IsZero() || exp.Before(first) {
				oldest, first = k, exp
			}
		}
		delete(a.sessions, oldest)
	}
	a.sessions[sha256.Sum256([]byte(token))] = expires
	return token, expires, true
}

// Valid reports whether token belongs to an open session. Sessions are
// looked up by the token's digest, so the lookup's timing says nothing
// about the tokens themselves.
func (a *Auth) Valid(token string) bool {
	if token == "" {
		return false
	}
	k := sha256.Sum256([]byte(token))
	a.mu.Lock()
	defer a.mu.Unlock()
	exp, ok := a.sessions[k]
	if ok && !time.Now().Before(exp) {
		delete(a.sessions, k)
		return false
	}
	return ok
}

// Logout closes the session of token, if any.
func (a *Auth) Logout(token string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.sessions, sha256.Sum256([]byte(token)))
}

// tokenOf returns the session token a request carries: from an
// "Authorization: Bearer" header (scripts, curl) or else from the session
// cookie (the dashboard).
func tokenOf(req *microdot.Request) string {
	if h := req.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(tok)
		}
		return ""
	}
	if c, err := req.Cookie(sessionCookie); err == nil {
		return c.Value
	}
	return ""
}

// authenticated reports whether req carries the token of an open session.
func (a *Auth) authenticated(req *microdot.Request) bool {
	return a.Valid(tokenOf(req))
}

// requireAuth wraps h so that requests without valid credentials get 401.
func (a *Auth) requireAuth(h microdot.Handler) microdot.Handler {
	return func(req *microdot.Request) (*microdot.Response, error) {
		if !a.authenticated(req) {
			return apiError(http.StatusUnauthorized, "log in first: POST /api/login with the password, then send the session cookie or an Authorization: Bearer token").
				SetHeader("WWW-Authenticate", `Bearer realm="camera"`), nil
		}
		return h(req)
	}
}

// sessionCookieFor returns the cookie that carries token until expires
// (a zero expires deletes the cookie).
//
// SameSite: the dashboard (http://127.0.0.1:8081) and the API
// (http://127.0.0.1:8080) are different origins but the same site: a site
// is the scheme and the registrable domain (here the IP address itself),
// and ports do not count. A credentialed fetch between them is a same-site
// request, so even a SameSite=Strict cookie goes with it, and Strict is what
// we use: the cookie is then never sent with a request started by another
// site, which is the cross-site request forgery that SameSite exists to
// stop. SameSite=None would be wrong twice over: browsers accept it only
// together with Secure, and Secure cookies need https, which a camera on
// loopback or on a LAN does not have.
//
// When the dashboard and the API are on different sites (say the page is
// opened as http://localhost:8081 while the API is http://127.0.0.1:8080)
// the cookie is not sent; scripts can then use the token that the login
// returns, in an Authorization: Bearer header.
//
// HttpOnly keeps the token away from scripts, Path limits it to the API.
// Secure is off because the example serves plain http; turn it on when the
// camera is served over https.
func sessionCookieFor(token string, expires time.Time) *http.Cookie {
	c := &http.Cookie{
		Name:     sessionCookie,
		Value:    token,
		Path:     "/api",
		HttpOnly: true,
		SameSite: http.SameSiteStrictMode,
	}
	if expires.IsZero() {
		c.MaxAge = -1
	} else {
		c.MaxAge = int(time.Until(expires).Seconds())
	}
	return c
}

// loginRequest is the body of POST /api/login.
type loginRequest struct {
	Password string `json:"password"`
}

// loginResponse is the answer to a successful login.
type loginResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (a *Auth) login(req *microdot.Request) (*microdot.Response, error) {
	var body loginRequest
	if err := req.DecodeJSON(&body); err != nil {
		return nil, err
	}
	token, expires, ok := a.Login(body.Password)
	if !ok {
		return apiError(http.StatusUnauthorized, "wrong password"), nil
	}
	res := microdot.JSON(loginResponse{Token: token, ExpiresAt: expires.UTC().Truncate(time.Second)}).
		SetHeader("Cache-Control", "no-store")
	if err := res.SetCookie(sessionCookieFor(token, expires)); err != nil {
		return nil, err
	}
	return res, nil
}

func (a *Auth) logout(req *microdot.Request) (*microdot.Response, error) {
	if tok := tokenOf(req); tok != "" {
		a.Logout(tok)
	}
	res := microdot.JSON(map[string]bool{"authenticated": false})
	if err := res.SetCookie(sessionCookieFor("", time.Time{})); err != nil {
		return nil, err
	}
	return res, nil
}

func (a *Auth) session(req *microdot.Request) (*microdot.Response, error) {
	return microdot.JSON(map[string]bool{"authenticated": a.authenticated(req)}).
		SetHeader("Cache-Control", "no-store"), nil
}
