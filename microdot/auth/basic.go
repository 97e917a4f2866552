package auth

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/microdot-go/microdot/microdot"
)

// BasicAuth is HTTP Basic authentication (Microdot's BasicAuth). Set its
// fields before the App serves its first request.
type BasicAuth struct {
	// Realm and Charset go into the WWW-Authenticate header of a 401; the
	// browser shows the realm when it asks for credentials. NewBasic sets
	// "Please login" and "UTF-8".
	Realm, Charset string
	// Scheme is the scheme of WWW-Authenticate: "Basic" unless changed
	// (a custom scheme keeps browsers from showing their login dialog).
	Scheme string
	// ErrorStatus is the status of the default failure response: 401.
	ErrorStatus int
	// ErrorHandler, when set, makes the response to a request that is not
	// authenticated, in place of the default (ErrorStatus with
	// WWW-Authenticate).
	ErrorHandler func(req *microdot.Request) (*microdot.Response, error)
	// Limiter throttles clients that send wrong credentials too often.
	// NewBasic sets one with the default Limit; nil turns throttling off.
	Limiter *Limiter

	check func(req *microdot.Request, username, password string) (any, error)
}

// NewBasic returns a BasicAuth whose credentials check is check. check
// returns the user for valid credentials, nil and no error for wrong ones
// (a 401, counted by the Limiter), or an error that becomes the response
// (an *microdot.HTTPError keeps its status, anything else is a 500).
func NewBasic(check func(req *microdot.Request, username, password string) (user any, err error)) *BasicAuth {
	if check == nil {
		panic("auth: NewBasic: nil check function")
	}
	return &BasicAuth{
		Realm: "Please login", Charset: "UTF-8", Scheme: "Basic",
		ErrorStatus: http.StatusUnauthorized,
		Limiter:     NewLimiter(Limit{}),
		check:       check,
	}
}

// Required returns h behind Basic authentication: a request without valid
// credentials gets the failure response and never reaches h.
func (a *BasicAuth) Required(h microdot.Handler) microdot.Handler { return wrap(a, h, true) }

// Optional returns h behind optional Basic authentication: h always runs,
// and CurrentUser is the user when the credentials are valid, nil otherwise.
func (a *BasicAuth) Optional(h microdot.Handler) microdot.Handler { return wrap(a, h, false) }

func (a *BasicAuth) credentials(r *http.Request) ([]string, bool) {
	u, p, ok := ParseBasic(r.Header.Get("Authorization"))
	return []string{u, p}, ok
}

func (a *BasicAuth) verify(req *microdot.Request, c []string) (any, error) {
	return a.check(req, c[0], c[1])
}

func (a *BasicAuth) limiter() *Limiter { return a.Limiter }

func (a *BasicAuth) fail(req *microdot.Request) (*microdot.Response, error) {
	if a.ErrorHandler != nil {
		return a.ErrorHandler(req)
	}
	res := microdot.Text("authentication required: send a username and password with HTTP Basic authentication")
	res.StatusCode = a.ErrorStatus
	res.SetHeader("WWW-Authenticate", fmt.Sprintf("%s realm=%q, charset=%q", a.Scheme, a.Realm, a.Charset))
	return res, nil
}

// ParseBasic parses the value of an Authorization header with Basic
// credentials ("Basic " and base64 of "username:password"). The scheme is
// matched without regard to case; the decoded credentials must be UTF-8 and
// hold a colon, which ends the username.
func ParseBasic(header string) (username, password string, ok bool) {
	scheme, rest, found := strings.Cut(header, " ")
	if !found || !strings.EqualFold(scheme, "Basic") {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rest))
	if err != nil || !utf8.Valid(raw) {
		return "", "", false
	}
	username, password, ok = strings.Cut(string(raw), ":")
	return username, password, ok
}
