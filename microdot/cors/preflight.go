package cors

import (
	"log/slog"
	"net/http"
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

// appRequest is what the extension uses of the *microdot.Request it serves
// in an App: the methods that the routes at its path serve. It is nil
// outside an App.
type appRequest interface {
	Allow() []string
}

// values returns n strings for header values that belong to r's response
// alone, from the extension's slabs.
func (s *snapshot) values(n int, r *http.Request, _ appRequest) []string {
	return s.slabs.take(n, r)
}

// preflight checks the preflight r and, when it succeeds, writes the headers
// of the answer into h. It returns the status to answer with: the
// configured success status, or 403 with nothing written. In an App (app is
// not nil), the method must also be served by the routes at r's path, and 0
// means that no route matches the path: nothing was written, and the App
// answers 404.
//
// origins and acrm are r's Origin and Access-Control-Request-Method field
// lines, which the caller looked up already.
func (s *snapshot) preflight(h http.Header, r *http.Request, origins, acrm []string, app appRequest) int {
	inApp := app != nil
	if len(origins) != 1 {
		return s.refuse(h, r, app, "origin", whyOriginCount, "")
	}
	if len(acrm) != 1 || !isToken(acrm[0]) || acrm[0] == "*" {
		v := ""
		if len(acrm) > 0 {
			v = acrm[0]
		}
		return s.refuse(h, r, app, "method", whyMethodSyntax, v)
	}
	m := acrm[0]
	ro := reqOrigin{raw: origins[0]}
	p := s.selectPolicy(&ro, m)
	if p == nil {
		return s.refuse(h, r, app, "origin", whyOrigin, ro.raw)
	}
	acrh := r.Header[hACRH]
	var hr acrhResult
	if len(acrh) > 0 {
		if hr = p.headers.check(acrh); !hr.ok {
			return s.refuse(h, r, app, "headers", hr.why, hr.bad)
		}
	}
	// Only now, with the origin and the headers allowed, is the path looked
	// up: a refused preflight costs no routing. A path without routes is the
	// App's 404.
	var route []string
	if inApp {
		if route = app.Allow(); len(route) == 0 {
			return 0
		}
	}
	if !p.methods.allows(m, route, inApp) {
		if inApp {
			return s.refuse(h, r, app, "method", whyMethodRoute, m)
		}
		return s.refuse(h, r, app, "method", whyMethod, m)
	}
	pna := false
	if p.pna {
		v := r.Header[hACRPN]
		pna = len(v) == 1 && v[0] == "true"
	}

	// One backing array for every value.
	n := 3 // origin, method, vary
	if p.creds {
		n++
	}
	echo := 0 // lines of Access-Control-Request-Headers echoed back
	if hr.names > 0 {
		if p.headers.any && p.creds {
			for _, l := range acrh {
				if l != "" {
					echo++
				}
			}
			n += echo
		} else {
			n++
		}
	}
	if p.maxAge != "" {
		n++
	}
	if pna {
		n++
	}
	v := s.values(n, r, app)
	i := put(h, hACAO, v, 0, p.allowOrigin(&ro))
	if p.creds {
		i = put(h, hACAC, v, i, "true")
	}
	i = put(h, hACAM, v, i, m)
	if hr.names > 0 {
		switch {
		case echo > 0:
			// With credentials a "*" would name a header literally
			// called "*": echo the request's list instead.
			start := i
			for _, l := range acrh {
				if l != "" {
					v[i] = l
					i++
				}
			}
			h[hACAH] = v[start:i:i]
		case !p.headers.any:
			i = put(h, hACAH, v, i, p.headers.listed)
		case hr.authz:
			// The wildcard never covers Authorization.
			i = put(h, hACAH, v, i, "*, Authorization")
		default:
			i = put(h, hACAH, v, i, "*")
		}
	}
	if p.maxAge != "" {
		i = put(h, hACMA, v, i, p.maxAge)
	}
	if pna {
		i = put(h, hACAPN, v, i, "true")
	}
	addVary(h, p.preflightVary, v[i:i+1:i+1])
	return s.status
}

// refuse reports a failed preflight: it logs why, when a logger is
// configured, and returns 403. The answer carries no Access-Control-*
// header. In an App, where every response carries Vary, it gets the Vary of
// a preflight; Handler leaves it bare, so that refusing costs nothing (HTTP
// caches do not store OPTIONS responses, and browsers do not cache failed
// preflights).
func (s *snapshot) refuse(h http.Header, r *http.Request, app appRequest, check, why, value string) int {
	if s.logger != nil {
		s.logRefusal(r, check, why, value)
	}
	if app != nil {
		addVary(h, s.refusedVary, s.values(1, r, app))
	}
	return http.StatusForbidden
}

func (s *snapshot) logRefusal(r *http.Request, check, why, value string) {
	ctx := r.Context()
	if !s.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	s.logger.LogAttrs(ctx, slog.LevelDebug, "cors: preflight refused",
		slog.String("check", check),
		slog.String("reason", why),
		slog.String("value", value),
		slog.String("origin", r.Header.Get(hOrigin)),
		slog.String("method", r.Header.Get(hACRM)),
		slog.String("path", r.URL.Path),
	)
}
