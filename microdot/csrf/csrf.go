package csrf

import (
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/cors"
)

// CSRF checks where requests come from. It is safe for concurrent use.
type CSRF struct {
	// AllowSubdomains trusts requests from the same site (Sec-Fetch-Site:
	// same-site), and origins that are subdomains of the origins the CORS
	// policy lists (Microdot's allow_subdomains). Set it before the App
	// serves its first request.
	AllowSubdomains bool

	cors *cors.CORS
	cop  *http.CrossOriginProtection

	mu     sync.RWMutex
	exempt map[string]bool // route patterns, and "METHOD pattern" keys that Exempt learnt
}

// New returns a CSRF that trusts, beyond the request's own origin, the
// origins that c lists by name (c may be nil: then only same-origin
// requests are trusted). When app is not nil, every request to app with an
// unsafe method is checked by a BeforeRequest hook (Microdot's
// protect_all=True); routes are exempted with ExemptRoute or Exempt. With
// a nil app nothing is attached (protect_all=False): wrap the handlers to
// check with Protect.
func New(app *microdot.App, c *cors.CORS) (*CSRF, error) {
	x := &CSRF{cors: c, cop: http.NewCrossOriginProtection(), exempt: map[string]bool{}}
	if app != nil {
		app.BeforeRequest(x.before)
	}
	return x, nil
}

func (x *CSRF) before(req *microdot.Request) (*microdot.Response, error) {
	if x.isExempt(req) {
		return nil, nil
	}
	return nil, x.Check(req.Request)
}

// ExemptRoute exempts the routes registered with pattern (as given to
// Route, with the prefix of a mounted App in front) from the App-wide check
// of New, for every method. Use it for routes that other sites may post to,
// such as a webhook or a payment provider's return URL.
func (x *CSRF) ExemptRoute(patterns ...string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, p := range patterns {
		x.exempt[p] = true
	}
}

// Exempt returns h exempt from the App-wide check of New (Microdot's
// @csrf.exempt). A before hook cannot tell which handler a route has, so
// the route is learnt when h first serves a request, from then on for
// every request; a request that fails the check before the route has
// served one is refused. To exempt a route from its very first request,
// name it with ExemptRoute, which needs no learning.
func (x *CSRF) Exempt(h microdot.Handler) microdot.Handler {
	if h == nil {
		panic("csrf: Exempt: nil handler")
	}
	return func(req *microdot.Request) (*microdot.Response, error) {
		if p := req.Request.Pattern; p != "" {
			key := req.Method + " " + p
			x.mu.RLock()
			known := x.exempt[key]
			x.mu.RUnlock()
			if !known {
				x.mu.Lock()
				x.exempt[key] = true
				x.mu.Unlock()
			}
		}
		return h(req)
	}
}

func (x *CSRF) isExempt(req *microdot.Request) bool {
	p := req.Request.Pattern
	if p == "" {
		return false
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.exempt[p] || x.exempt[req.Method+" "+p]
}

// Protect returns h behind the check for every method, safe ones included
// (Microdot's @csrf.protect): for a GET route that changes state, or for
// every route of an App that New did not attach to.
func (x *CSRF) Protect(h microdot.Handler) microdot.Handler {
	if h == nil {
		panic("csrf: Protect: nil handler")
	}
	return func(req *microdot.Request) (*microdot.Response, error) {
		r := *req.Request
		if r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions {
			r.Method = http.MethodPost // judged as an unsafe request
		}
		if err := x.Check(&r); err != nil {
			return nil, err
		}
		return h(req)
	}
}

// Check returns nil when r may be served: its method is safe, it comes
// from the same origin (Sec-Fetch-Site same-origin or none, or an Origin
// that matches Host), from the same site with AllowSubdomains, from an
// origin that the CORS policy lists, or from no browser at all (neither
// header). Otherwise it returns a 403 *microdot.HTTPError that says why.
func (x *CSRF) Check(r *http.Request) error {
	if x.cop.Check(r) == nil {
		return nil
	}
	if x.AllowSubdomains && r.Header.Get("Sec-Fetch-Site") == "same-site" {
		return nil
	}
	if origin := r.Header.Get("Origin"); origin != "" && x.trusts(origin) {
		return nil
	}
	return &microdot.HTTPError{Status: http.StatusForbidden,
		Reason: "forbidden: a cross-site request cannot change state here; send it from this site or from an origin that its CORS policy allows"}
}

// trusts reports whether origin is listed by the CORS policy or, with
// AllowSubdomains, is a subdomain of a listed origin with the same scheme
// and port.
func (x *CSRF) trusts(origin string) bool {
	if x.cors == nil {
		return false
	}
	if x.cors.ListsOrigin(origin) {
		return true
	}
	if !x.AllowSubdomains {
		return false
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || u.Path != "" || strings.HasPrefix(u.Host, "[") {
		return false
	}
	host := u.Host
	for {
		_, parent, ok := strings.Cut(host, ".")
		if !ok {
			return false
		}
		if x.cors.ListsOrigin(u.Scheme + "://" + parent) {
			return true
		}
		host = parent
	}
}
