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
	var f fields
	if p := s.plainAny; p != nil {
		f.add(hACAO, AnyOrigin)
		if p.expose != "" {
			f.add(hACEH, p.expose)
		}
		f.write(h, s.slabs, r)
		return true
	}
	var p *policy
	var ro origins.Request
	if vals := r.Header[hOrigin]; len(vals) == 1 {
		ro.Raw = vals[0]
		p = s.selectPolicy(&ro, r.Method)
	}
	if p != nil {
		f.add(hACAO, p.allowOrigin(&ro))
		if p.creds {
			f.add(hACAC, "true")
		}
		if p.expose != "" {
			f.add(hACEH, p.expose)
		}
	}
	f.add(hVary, varyActual)
	f.write(h, s.slabs, r)
	return p != nil
}
