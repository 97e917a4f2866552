package cors_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/microdot-go/microdot/microdot/cors"
)

// handlerStatus is the status of the wrapped handler in tests, so that a
// response with it shows the handler ran.
const handlerStatus = 299

// spy is the handler wrapped by the middleware in tests.
var spy = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Handler", "1")
	w.WriteHeader(handlerStatus)
})

// mustNew builds a CORS for the configuration or fails the test.
func mustNew(t testing.TB, cfg cors.Config) *cors.CORS {
	t.Helper()
	c, err := cors.New(nil, cfg)
	require.NoError(t, err)
	return c
}

// req builds a request; hdr holds name, value pairs (a name may repeat).
func req(method, target string, hdr ...string) *http.Request {
	r := httptest.NewRequest(method, "http://api.example"+target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Add(hdr[i], hdr[i+1])
	}
	return r
}

// serve runs r through c.Handler(spy) and returns the recorded response.
func serve(c *cors.CORS, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	c.Handler(spy).ServeHTTP(w, r)
	return w
}

// corsHeaders returns the Access-Control-* headers of h.
func corsHeaders(h http.Header) http.Header {
	out := http.Header{}
	for k, v := range h {
		if strings.HasPrefix(k, "Access-Control-") {
			out[k] = v
		}
	}
	return out
}

// varyTokens lists the tokens of h's Vary field lines.
func varyTokens(h http.Header) []string {
	var out []string
	for _, line := range h.Values("Vary") {
		for _, t := range strings.Split(line, ",") {
			if t = strings.TrimSpace(t); t != "" {
				out = append(out, t)
			}
		}
	}
	return out
}

// nopWriter is a reusable ResponseWriter for benchmarks and allocation
// counts: its header map is cleared, not reallocated.
type nopWriter struct {
	h      http.Header
	status int
}

func newNopWriter() *nopWriter { return &nopWriter{h: make(http.Header, 16)} }

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *nopWriter) WriteHeader(s int)           { w.status = s }
func (w *nopWriter) reset()                      { clear(w.h); w.status = 0 }

var nopHandler = http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})

// quietLogger discards the records of panics that tests provoke on purpose.
func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
