package session

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/microdot-go/microdot/microdot"
)

// MinKeyLength is the shortest secret key that New accepts, in bytes: 32
// bytes, the size of an HS256 signature.
const MinKeyLength = 32

// CookieName is the name of the session cookie unless Session.Cookie says
// otherwise; Microdot uses the same.
const CookieName = "session"

// maxCookieBytes is the largest cookie value that browsers are sure to keep.
const maxCookieBytes = 4000

// Session reads and writes the session cookie of requests. It is safe for
// concurrent use.
type Session struct {
	// Cookie is the template of the session cookie: its Name, Path, Domain,
	// MaxAge, Secure, HttpOnly, SameSite and Partitioned are used, its Value
	// and Expires are not. New sets Name "session", Path "/", HttpOnly and
	// SameSite Lax. Change it before the App serves its first request; set
	// Secure when the App is served over HTTPS.
	Cookie http.Cookie

	key    []byte
	parser *jwt.Parser
}

// New returns a Session that signs with secretKey. The key must hold at
// least MinKeyLength bytes; a shorter one is an error that says how to make
// a good one. The session needs nothing from app, which may be nil: it reads
// the cookie from each request and writes it through the request's own
// after-request hooks.
func New(app *microdot.App, secretKey string) (*Session, error) {
	if len(secretKey) < MinKeyLength {
		return nil, fmt.Errorf("session: the secret key is %d bytes long; it must be at least %d random bytes, such as the output of `openssl rand -hex 32`", len(secretKey), MinKeyLength)
	}
	_ = app
	return &Session{
		Cookie: http.Cookie{Name: CookieName, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode},
		key:    []byte(secretKey),
		parser: jwt.NewParser(jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()})),
	}, nil
}

// Prefixes of the request's scratch keys, which end with the cookie's name
// so that two Sessions with different cookies do not share them.
const (
	dataKey    = "microdot/session:data:"
	pendingKey = "microdot/session:pending:"
)

// pending is the cookie that the request's response will carry.
type pending struct {
	value string // the token; "" deletes the cookie
}

// Get returns the session of req: the data that the last Save stored, or an
// empty map when the request has no session cookie or one that is tampered
// with, signed with another key, expired (per its "exp" claim) or malformed.
// Within one request every call returns the same map, so changes made
// through one are seen through the others; they reach the client only
// through Save. Values are as encoding/json decodes them: numbers are
// float64, objects map[string]any.
func (s *Session) Get(req *microdot.Request) map[string]any {
	if v, ok := req.Get(dataKey + s.Cookie.Name); ok {
		return v.(map[string]any)
	}
	data := map[string]any{}
	if c, err := req.Cookie(s.Cookie.Name); err == nil {
		if d, err := s.Decode(c.Value); err == nil {
			data = d
		}
	}
	req.Set(dataKey+s.Cookie.Name, data)
	return data
}

// Save stores data as the session of req: the response carries the session
// cookie, signed. Later calls to Get in the same request return data. It
// fails, and changes nothing, when data cannot be encoded as JSON or makes a
// cookie too large for browsers to keep (about 4 KB).
func (s *Session) Save(req *microdot.Request, data map[string]any) error {
	if data == nil {
		data = map[string]any{}
	}
	token, err := s.Encode(data)
	if err != nil {
		return err
	}
	if err := s.template(token).Valid(); err != nil {
		return fmt.Errorf("session: invalid session cookie settings: %w", err)
	}
	if len(token) > maxCookieBytes {
		return fmt.Errorf("session: the session cookie would be %d bytes, above the %d that browsers keep; store less in the session", len(token), maxCookieBytes)
	}
	req.Set(dataKey+s.Cookie.Name, data)
	s.schedule(req, token)
	return nil
}

// Delete removes the session of req: the response tells the client to drop
// the cookie, and later calls to Get in the same request return an empty map.
func (s *Session) Delete(req *microdot.Request) {
	req.Set(dataKey+s.Cookie.Name, map[string]any{})
	s.schedule(req, "")
}

// schedule makes the response to req carry the cookie value, or its
// deletion when value is "". Only the last call of a request counts.
func (s *Session) schedule(req *microdot.Request, value string) {
	if v, ok := req.Get(pendingKey + s.Cookie.Name); ok {
		v.(*pending).value = value
		return
	}
	p := &pending{value: value}
	req.Set(pendingKey+s.Cookie.Name, p)
	req.AfterRequest(func(req *microdot.Request, res *microdot.Response) *microdot.Response {
		c := s.template(p.value)
		if p.value == "" {
			c.MaxAge = -1
		}
		if err := res.SetCookie(c); err != nil {
			logger(req).Error("session: cannot write the session cookie", "error", err)
		}
		return nil
	})
}

// Encode signs claims as a JWT with HS256 and the session's key, as
// Microdot's Session.encode does. Other extensions (login's remember-me
// cookie) use it for their own signed cookies.
func (s *Session) Encode(claims map[string]any) (string, error) {
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims(claims)).SignedString(s.key)
	if err != nil {
		return "", fmt.Errorf("session: cannot encode the session: %w", err)
	}
	return token, nil
}

// ErrInvalid is the error of Decode for a token that is not a valid JWT
// signed with HS256 and the session's key, or is expired.
var ErrInvalid = errors.New("session: invalid or expired session token")

// Decode verifies token (HS256, the session's key, "exp" and "nbf" when
// present) and returns its claims, as Microdot's Session.decode does.
func (s *Session) Decode(token string) (map[string]any, error) {
	claims := jwt.MapClaims{}
	if _, err := s.parser.ParseWithClaims(token, claims, func(*jwt.Token) (any, error) { return s.key, nil }); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return claims, nil
}

// template returns the session cookie with value.
func (s *Session) template(value string) *http.Cookie {
	c := s.Cookie
	c.Value, c.Expires, c.Raw, c.RawExpires, c.Unparsed = value, time.Time{}, "", "", nil
	return &c
}

// logger returns the logger of the App that serves req.
func logger(req *microdot.Request) *slog.Logger {
	if l := req.App().Logger; l != nil {
		return l
	}
	return slog.Default()
}
