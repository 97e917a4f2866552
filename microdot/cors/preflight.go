package cors

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/microdot-go/microdot/microdot/cors/internal/headers"
	"github.com/microdot-go/microdot/microdot/cors/internal/origins"
)

// Reasons for refusing a preflight, beyond those of the
// Access-Control-Request-Headers parser.
const (
	whyOriginCount  = "the request must carry exactly one Origin value"
	whyOrigin       = "origin not allowed"
	whyMethodSyntax = "Access-Control-Request-Method must be a single method name"
	whyMethod       = "method not allowed by AllowedMethods"
	whyMethodRoute  = "method not served by the route at this path, or not allowed by AllowedMethods"
)

// preflightFields returns the Origin and Access-Control-Request-Method field
// lines of r when r is a CORS preflight: an OPTIONS request with both
// headers, present even if empty. Each is looked up once: header lookups
// are most of the cost of refusing a preflight.
func preflightFields(r *http.Request) (origins, acrm []string, ok bool) {
	if r.Method != http.MethodOptions {
		return nil, nil, false
	}
	if origins, ok = r.Header[hOrigin]; !ok {
		return nil, nil, false
	}
	acrm, ok = r.Header[hACRM]
	return origins, acrm, ok
}

// isPreflight reports whether r is a CORS preflight (see preflightFields).
func isPreflight(r *http.Request) bool {
	_, _, ok := preflightFields(r)
	return ok
}

// IsPreflight reports whether r is a CORS preflight request: method OPTIONS
// with both an Origin and an Access-Control-Request-Method header. Any
// other OPTIONS request is an ordinary request. Custom middleware built on
// GetCORSHeaders uses it to decide whether to answer r itself.
func IsPreflight(r *http.Request) bool { return isPreflight(r) }

// routes is what the extension uses of the *microdot.Request it serves in
// an App: the methods that the routes at its path serve. It is nil outside
// an App.
type routes interface {
	Allow() []string
}

// preflightReq is one preflight being checked.
type preflightReq struct {
	r            *http.Request
	origins      []string // the Origin field lines
	acrm         []string // the Access-Control-Request-Method field lines
	app          routes   // nil outside an App
	refusedCheck string   // on refusal: which check failed
	refusedWhy   string   // on refusal: why
	refusedValue string   // on refusal: the value at fault
}

func (q *preflightReq) refuse(check, why, value string) *policy {
	q.refusedCheck, q.refusedWhy, q.refusedValue = check, why, value
	return nil
}

// preflight checks the preflight q and, when it succeeds, writes the headers
// of the answer into h. It returns the status to answer with: the
// configured success status, or 403 with no Access-Control-* header
// written. In an App, the method must also be served by the routes at the
// request's path, and 0 means that no route matches the path: nothing was
// written, and the App answers 404.
func (s *snapshot) preflight(h http.Header, q *preflightReq) int {
	ro := origins.Request{}
	p, hr, status := s.checkPreflight(q, &ro)
	if p == nil {
		if status == 0 {
			return 0
		}
		return s.refuse(h, q)
	}
	var f fields
	f.add(hACAO, p.allowOrigin(&ro))
	if p.creds {
		f.add(hACAC, "true")
	}
	f.add(hACAM, q.acrm[0])
	if hr.Names > 0 {
		f.add(hACAH, p.allowHeaders(q.r.Header[hACRH], hr))
	}
	if p.maxAge != "" {
		f.add(hACMA, p.maxAge)
	}
	if p.pna {
		if v := q.r.Header[hACRPN]; len(v) == 1 && v[0] == "true" {
			f.add(hACAPN, "true")
		}
	}
	f.add(hVary, p.preflightVary)
	f.write(h, s.slabs, q.r)
	return s.status
}

// checkPreflight runs the checks of a preflight in order: the Origin, the
// requested method's syntax, the policy, the requested headers, the route
// and the method. It returns the policy that allows the preflight, or nil
// with status 403 (refused, the reason recorded in q) or 0 (no route).
func (s *snapshot) checkPreflight(q *preflightReq, ro *origins.Request) (*policy, headers.Result, int) {
	var hr headers.Result
	if len(q.origins) != 1 {
		return q.refuse("origin", whyOriginCount, ""), hr, http.StatusForbidden
	}
	if len(q.acrm) != 1 || !headers.IsToken(q.acrm[0]) || q.acrm[0] == "*" {
		return q.refuse("method", whyMethodSyntax, strings.Join(q.acrm, ", ")), hr, http.StatusForbidden
	}
	m := q.acrm[0]
	ro.Raw = q.origins[0]
	p := s.selectPolicy(ro, m)
	if p == nil {
		return q.refuse("origin", whyOrigin, ro.Raw), hr, http.StatusForbidden
	}
	if acrh := q.r.Header[hACRH]; len(acrh) > 0 {
		if hr = p.headers.Check(acrh); !hr.OK {
			return q.refuse("headers", hr.Why, hr.Bad), hr, http.StatusForbidden
		}
	}
	// Only now, with the origin and the headers allowed, is the path looked
	// up: a refused preflight costs no routing.
	var route []string
	if q.app != nil {
		if route = q.app.Allow(); len(route) == 0 {
			return nil, hr, 0
		}
	}
	if !p.methods.allows(m, route, q.app != nil) {
		why := whyMethod
		if q.app != nil {
			why = whyMethodRoute
		}
		return q.refuse("method", why, m), hr, http.StatusForbidden
	}
	return p, hr, s.status
}

// allowHeaders returns the Access-Control-Allow-Headers value that answers
// the request's header lines acrh, which p allows (hr).
func (p *policy) allowHeaders(acrh []string, hr headers.Result) string {
	switch {
	case p.headers.Mode() == headers.Listed:
		return p.listedHeaders
	case p.headers.Mode() == headers.Echo || p.creds:
		// Name every requested header. With credentials a "*" would
		// name a header literally called "*".
		return echoLines(acrh)
	case hr.Authz:
		// The wildcard never covers Authorization.
		return "*, Authorization"
	}
	return "*"
}

// echoLines returns the request's Access-Control-Request-Headers, which
// were checked already, as one value. Browsers send one line, which is
// returned as it is.
func echoLines(acrh []string) string {
	if len(acrh) == 1 {
		return acrh[0]
	}
	var b strings.Builder
	for _, l := range acrh {
		if l == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(l)
	}
	return b.String()
}

// refuse reports a failed preflight: it logs why, when a logger is
// configured, and returns 403. The answer carries no Access-Control-*
// header. In an App, where every response carries Vary, it gets the Vary of
// a preflight; Handler leaves it bare, so that refusing costs nothing (HTTP
// caches do not store OPTIONS responses, and browsers do not cache failed
// preflights).
func (s *snapshot) refuse(h http.Header, q *preflightReq) int {
	if s.logger != nil {
		s.logRefusal(q)
	}
	if q.app != nil {
		var f fields
		f.add(hVary, s.refusedVary)
		f.write(h, s.slabs, q.r)
	}
	return http.StatusForbidden
}

func (s *snapshot) logRefusal(q *preflightReq) {
	ctx := q.r.Context()
	if !s.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	s.logger.LogAttrs(ctx, slog.LevelDebug, "cors: preflight refused",
		slog.String("check", q.refusedCheck),
		slog.String("reason", q.refusedWhy),
		slog.String("value", q.refusedValue),
		slog.String("origin", q.r.Header.Get(hOrigin)),
		slog.String("method", q.r.Header.Get(hACRM)),
		slog.String("path", q.r.URL.Path),
	)
}
