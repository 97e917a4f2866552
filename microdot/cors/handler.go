package cors

import "net/http"

// Handler returns net/http middleware that applies the policy to every
// request before passing it to next: a preflight is answered right away
// (204 with the CORS headers, or 403 with none) and never reaches next; any
// other request gets its CORS headers set and goes on to next, allowed or not
// (CORS is not access control: a disallowed origin only stops the browser
// from letting its script read the response).
//
// Handler knows nothing of routes: with AllowedMethods nil, a preflight may
// ask only for GET, HEAD or POST; list the other methods you serve. The
// headers are set before next runs, so a handler that replaces Vary with
// Header().Set drops Origin from it: use Header().Add.
//
// The middleware reads the configuration in force on every request, so
// Update applies to it at once. A nil next answers 404.
func (c *CORS) Handler(next http.Handler) http.Handler {
	if next == nil {
		next = http.NotFoundHandler()
	}
	return &handler{c: c, next: next}
}

type handler struct {
	c    *CORS
	next http.Handler
}

func (hd *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s := hd.c.snap.Load()
	if s == nil {
		hd.next.ServeHTTP(w, r)
		return
	}
	if origins, acrm, ok := preflightFields(r); ok {
		w.WriteHeader(s.preflight(w.Header(), r, origins, acrm, nil))
		return
	}
	s.actual(w.Header(), r, nil)
	hd.next.ServeHTTP(w, r)
}
