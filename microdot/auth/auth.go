package auth

import (
	"net/http"

	"github.com/microdot-go/microdot/microdot"
)

// scheme is what BasicAuth and TokenAuth each know; wrap does the rest.
type scheme interface {
	// credentials extracts the credentials of r; ok is false when it has none.
	credentials(r *http.Request) (creds []string, ok bool)
	// verify checks them and returns the user, nil for wrong credentials.
	verify(req *microdot.Request, creds []string) (any, error)
	// fail is the response to a request that is not authenticated.
	fail(req *microdot.Request) (*microdot.Response, error)
	limiter() *Limiter
}

// wrap returns h behind the authentication of s. With required unset, a
// request without valid credentials still reaches h, with no current user.
// A client that the limiter throttles gets 429 whenever it sends
// credentials, right or wrong.
func wrap(s scheme, h microdot.Handler, required bool) microdot.Handler {
	if h == nil {
		panic("auth: nil handler")
	}
	return func(req *microdot.Request) (*microdot.Response, error) {
		SetCurrentUser(req, nil)
		creds, ok := s.credentials(req.Request)
		if !ok {
			if required {
				return s.fail(req)
			}
			return h(req)
		}
		lim := s.limiter()
		if res := lim.TooMany(req); res != nil {
			return res, nil
		}
		user, err := s.verify(req, creds)
		if err != nil {
			return nil, err
		}
		if user == nil {
			if lim != nil {
				lim.Fail(req.Request)
			}
			if required {
				return s.fail(req)
			}
			return h(req)
		}
		SetCurrentUser(req, user)
		return h(req)
	}
}
