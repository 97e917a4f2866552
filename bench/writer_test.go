package bench

import (
	"bytes"
	"net/http"
)

// discardWriter is the ResponseWriter used inside timed loops. It keeps one
// header map for the whole benchmark (the loop clears it before each request)
// and throws everything else away, so a benchmark measures the router and the
// framework, not a recorder. httptest.ResponseRecorder would add its own
// header snapshots and content sniffing (several hundred bytes and allocations
// per request) and favour frameworks that call WriteHeader early.
type discardWriter struct {
	header http.Header
}

func newDiscardWriter() *discardWriter {
	return &discardWriter{header: make(http.Header)}
}

func (w *discardWriter) Header() http.Header               { return w.header }
func (w *discardWriter) Write(p []byte) (int, error)       { return len(p), nil }
func (w *discardWriter) WriteString(s string) (int, error) { return len(s), nil }
func (w *discardWriter) WriteHeader(int)                   {}
func (w *discardWriter) reset()                            { clear(w.header) }

// checkWriter records what a handler sends. It is only used outside timed
// loops, to check that a request really reached the intended handler.
type checkWriter struct {
	header http.Header
	status int // 0 until WriteHeader is called
	body   bytes.Buffer
}

func newCheckWriter() *checkWriter {
	return &checkWriter{header: make(http.Header)}
}

func (w *checkWriter) Header() http.Header { return w.header }

func (w *checkWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.Write(p)
}

func (w *checkWriter) WriteString(s string) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.WriteString(s)
}

func (w *checkWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

// code is the status the client would see: 200 if nothing was written.
func (w *checkWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}
