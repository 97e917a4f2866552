package cors

import (
	"net/http"

	"github.com/microdot-go/microdot/microdot/cors/internal/origins"
)

// actual writes into h the CORS headers of the response to r, an actual
// (non-preflight) request, and reports whether r's origin is allowed.
// Values that the handler set already for the same names are replaced; Vary
// is merged. When the origin is not allowed (or r has none), h gets only
// Vary: Origin, and the caller strips any Access-Control-* header the
// handler sets.
func (s *snapshot) actual(h http.Header, r *http.Request) bool {
	if s.plainAny != nil {
		s.allowAny(h, r)
		return true
	}
	if p, ro := s.match(r); p != nil {
		s.allow(h, r, p, &ro)
		return true
	}
	var f fields
	f.add(hVary, varyActual)
	f.write(h, s.slabs, r)
	return false
}

// match returns the policy that allows r, an actual request, with r's
// Origin, or nil.
func (s *snapshot) match(r *http.Request) (*policy, origins.Request) {
	vals := r.Header[hOrigin]
	if len(vals) != 1 {
		return nil, origins.Request{}
	}
	ro := origins.Request{Raw: vals[0]}
	return s.selectPolicy(&ro, r.Method), ro
}

// allowAny writes the headers of a plain "*" policy, which go on every
// response.
func (s *snapshot) allowAny(h http.Header, r *http.Request) {
	var f fields
	f.add(hACAO, AnyOrigin)
	if p := s.plainAny; p.expose != "" {
		f.add(hACEH, p.expose)
	}
	f.write(h, s.slabs, r)
}

// allow writes the headers of a response to the origin ro, which p allows.
func (s *snapshot) allow(h http.Header, r *http.Request, p *policy, ro *origins.Request) {
	var f fields
	f.add(hACAO, p.allowOrigin(ro))
	if p.creds {
		f.add(hACAC, "true")
	}
	if p.expose != "" {
		f.add(hACEH, p.expose)
	}
	f.add(hVary, varyActual)
	f.write(h, s.slabs, r)
}
