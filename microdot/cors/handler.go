package cors

import (
	"bufio"
	"net"
	"net/http"
)

// Handler returns net/http middleware that applies the policy to every
// request before passing it to next: a preflight is answered right away
// (204 with the CORS headers, or 403 with none) and never reaches next; any
// other request gets its CORS headers set and goes on to next, allowed or not
// (CORS is not access control: a disallowed origin only stops the browser
// from letting its script read the response). A response to a disallowed
// origin, or to a request without Origin, carries no Access-Control-*
// header, not even one that next set itself.
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
		q := preflightReq{r: r, origins: origins, acrm: acrm}
		w.WriteHeader(s.preflight(w.Header(), &q))
		return
	}
	if s.plainAny != nil {
		s.allowAny(w.Header(), r)
		hd.next.ServeHTTP(w, r)
		return
	}
	if p, ro := s.match(r); p != nil {
		s.allow(w.Header(), r, p, &ro)
		hd.next.ServeHTTP(w, r)
		return
	}
	// Not allowed: only Vary, and whatever Access-Control-* header next
	// sets is removed before the header is sent. The writer and the Vary
	// value come out of one slab element.
	sw := &hd.c.writers.take(1, r)[0]
	sw.ResponseWriter = w
	addVary(w.Header(), varyActual, sw.vary[:1:1])
	hd.next.ServeHTTP(sw, r)
	sw.strip()
}

// stripWriter removes every Access-Control-* header before the response
// header is sent. The slabs of a CORS instance hand each one out once.
type stripWriter struct {
	http.ResponseWriter
	sent bool
	vary [1]string // the response's Vary value, when it had none
}

func (sw *stripWriter) strip() {
	if sw.sent {
		return
	}
	sw.sent = true
	h := sw.Header()
	if len(h) == 1 && len(h[hVary]) > 0 {
		return // nothing but Vary: the common case, with no map walk
	}
	stripCORS(h)
}

// WriteHeader strips the header, then writes it.
func (sw *stripWriter) WriteHeader(code int) {
	if code >= 200 || code == http.StatusSwitchingProtocols {
		sw.strip()
	}
	sw.ResponseWriter.WriteHeader(code)
}

// Write strips the header, then writes b.
func (sw *stripWriter) Write(b []byte) (int, error) {
	sw.strip()
	return sw.ResponseWriter.Write(b)
}

// Flush strips the header, then flushes, when the underlying writer can.
func (sw *stripWriter) Flush() {
	sw.strip()
	_ = http.NewResponseController(sw.ResponseWriter).Flush()
}

// Hijack strips the header and hands the connection over, when the
// underlying writer can.
func (sw *stripWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	sw.strip()
	return http.NewResponseController(sw.ResponseWriter).Hijack()
}

// Unwrap returns the underlying writer, for http.ResponseController.
func (sw *stripWriter) Unwrap() http.ResponseWriter { return sw.ResponseWriter }
