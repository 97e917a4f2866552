package auth

import (
	"net/http"
	"strings"

	"github.com/microdot-go/microdot/microdot"
)

// TokenAuth is authentication by a token in a request header (Microdot's
// TokenAuth): "Authorization: Bearer <token>" unless changed. Set its fields
// before the App serves its first request.
type TokenAuth struct {
	// Header is the header that carries the token: "Authorization" unless
	// changed. In Authorization the token follows Scheme; in any other
	// header the whole value is the token.
	Header string
	// Scheme is the scheme of the Authorization header, matched without
	// regard to case: "Bearer" unless changed.
	Scheme string
	// ErrorStatus is the status of the default failure response: 401.
	ErrorStatus int
	// ErrorHandler, when set, makes the response to a request that is not
	// authenticated, in place of the default (an error with ErrorStatus,
	// which goes through the App's error handlers).
	ErrorHandler func(req *microdot.Request) (*microdot.Response, error)
	// Limiter throttles clients that send wrong tokens too often. NewToken
	// sets one with the default Limit; nil turns throttling off.
	Limiter *Limiter

	check func(req *microdot.Request, token string) (any, error)
}

// NewToken returns a TokenAuth whose token check is check. check returns the
// user for a valid token, nil and no error for a wrong one (a 401, counted
// by the Limiter), or an error that becomes the response.
func NewToken(check func(req *microdot.Request, token string) (user any, err error)) *TokenAuth {
	if check == nil {
		panic("auth: NewToken: nil check function")
	}
	return &TokenAuth{
		Header: "Authorization", Scheme: "Bearer",
		ErrorStatus: http.StatusUnauthorized,
		Limiter:     NewLimiter(Limit{}),
		check:       check,
	}
}

// Required returns h behind token authentication: a request without a valid
// token gets the failure response and never reaches h.
func (a *TokenAuth) Required(h microdot.Handler) microdot.Handler { return wrap(a, h, true) }

// Optional returns h behind optional token authentication: h always runs,
// and CurrentUser is the user when the token is valid, nil otherwise.
func (a *TokenAuth) Optional(h microdot.Handler) microdot.Handler { return wrap(a, h, false) }

func (a *TokenAuth) credentials(r *http.Request) ([]string, bool) {
	t, ok := ParseToken(r.Header, a.Header, a.Scheme)
	return []string{t}, ok
}

func (a *TokenAuth) verify(req *microdot.Request, c []string) (any, error) { return a.check(req, c[0]) }

func (a *TokenAuth) limiter() *Limiter { return a.Limiter }

func (a *TokenAuth) fail(req *microdot.Request) (*microdot.Response, error) {
	if a.ErrorHandler != nil {
		return a.ErrorHandler(req)
	}
	return nil, microdot.Abort(a.ErrorStatus)
}

// ParseToken returns the token that header (such as "Authorization" or
// "X-Auth-Token") of h carries. In Authorization the value must be scheme,
// a space and the token; in another header the whole value is the token.
// An empty token is no token.
func ParseToken(h http.Header, header, scheme string) (string, bool) {
	v := h.Get(header)
	if http.CanonicalHeaderKey(header) == "Authorization" {
		s, token, found := strings.Cut(v, " ")
		if !found || !strings.EqualFold(s, scheme) {
			return "", false
		}
		v = token
	}
	v = strings.TrimSpace(v)
	return v, v != ""
}
