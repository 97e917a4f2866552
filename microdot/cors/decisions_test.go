package cors_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/cors"
)

// handlerCORS is a handler that sets Access-Control-* headers itself, as
// code written before the extension was added often does.
var handlerCORS = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header()["access-control-allow-credentials"] = []string{"true"}
	w.Header().Set("Access-Control-Expose-Headers", "X-Secret")
	w.Header().Set("X-Handler", "1")
})

// corsWriters are handlers that set Access-Control-* headers and then send
// them in each way a handler can.
func corsWriters(t *testing.T) map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{
		"no write": handlerCORS,
		"WriteHeader": func(w http.ResponseWriter, r *http.Request) {
			handlerCORS(w, r)
			w.WriteHeader(http.StatusTeapot)
		},
		"Write": func(w http.ResponseWriter, r *http.Request) {
			handlerCORS(w, r)
			_, _ = w.Write([]byte("x"))
		},
		"Flush": func(w http.ResponseWriter, r *http.Request) {
			handlerCORS(w, r)
			require.NoError(t, http.NewResponseController(w).Flush())
		},
	}
}

// TestHandlerCORSHeadersStripped checks that a handler's own
// Access-Control-* headers never reach a disallowed origin or a request
// without Origin, whether the handler writes its header explicitly, writes
// a body, flushes, or returns without writing.
func TestHandlerCORSHeadersStripped(t *testing.T) {
	writers := corsWriters(t)
	c := mustNew(t, cors.Config{AllowedOrigins: []string{"https://app.example"}, AllowCredentials: true})
	for name, h := range writers {
		for _, origin := range []string{"https://evil.com", ""} {
			t.Run(name+" "+origin, func(t *testing.T) {
				r := req("GET", "/")
				if origin != "" {
					r.Header.Set("Origin", origin)
				}
				w := newRecorder()
				c.Handler(h).ServeHTTP(w, r)
				w.WriteHeader(http.StatusOK) // what the server does after a handler that wrote nothing
				assert.Empty(t, corsHeaders(w.sent), "headers as sent")
				assert.Equal(t, "1", w.sent.Get("X-Handler"))
				assert.Equal(t, []string{"Origin"}, varyTokens(w.sent))
			})
		}
		t.Run(name+" allowed", func(t *testing.T) {
			w := newRecorder()
			c.Handler(h).ServeHTTP(w, req("GET", "/", "Origin", "https://app.example"))
			w.WriteHeader(http.StatusOK)
			// The handler replaced the policy's Allow-Origin: its
			// business, for an allowed origin.
			assert.NotEmpty(t, w.sent.Get("Access-Control-Allow-Origin"))
		})
	}
}

// TestAppCORSHeadersStripped is TestHandlerCORSHeadersStripped in an App.
func TestAppCORSHeadersStripped(t *testing.T) {
	app := microdot.New()
	app.Get("/", func(*microdot.Request) (*microdot.Response, error) {
		res := microdot.Text("ok")
		res.Header = http.Header{"Access-Control-Allow-Origin": {"*"}, "Access-Control-Allow-Methods": {"DELETE"}}
		return res, nil
	})
	attach(t, app, cors.Config{AllowedOrigins: []string{"https://app.example"}, AllowCredentials: true})
	for _, origin := range []string{"https://evil.com", ""} {
		hdr := []string{}
		if origin != "" {
			hdr = []string{"Origin", origin}
		}
		w := call(app, "GET", "/", hdr...)
		assert.Equal(t, 200, w.Code)
		assert.Empty(t, corsHeaders(w.Header()), origin)
		assert.Equal(t, []string{"Origin"}, varyTokens(w.Header()))
	}
	w := call(app, "GET", "/", "Origin", "https://app.example")
	assert.Equal(t, []string{"https://app.example"}, w.Header().Values("Access-Control-Allow-Origin"))
}

// recorder keeps a copy of the header as it was when sent.
type recorder struct {
	h, sent http.Header
	code    int
}

func newRecorder() *recorder { return &recorder{h: http.Header{}} }

func (w *recorder) Header() http.Header { return w.h }

func (w *recorder) WriteHeader(code int) {
	if w.sent == nil {
		w.code, w.sent = code, w.h.Clone()
	}
}

func (w *recorder) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return len(b), nil
}

func (w *recorder) Flush() { w.WriteHeader(http.StatusOK) }

// TestAllowedHeadersNilPortsMicrodot is the Microdot port that used to
// break: a credentialed dashboard sending Authorization: Bearer, with
// allowed_headers left at None.
func TestAllowedHeadersNilPortsMicrodot(t *testing.T) {
	app := microdot.New()
	app.Get("/api/status", text("ok"))
	attach(t, app, cors.Config{AllowedOrigins: []string{"https://dash.example"}, AllowCredentials: true})
	w := call(app, "OPTIONS", "/api/status", "Origin", "https://dash.example", acrm, "GET", acrh, "authorization")
	require.Equal(t, http.StatusNoContent, w.Code)
	assert.Equal(t, []string{"authorization"}, w.Header().Values(acah))
	assert.Equal(t, []string{"true"}, w.Header().Values(acac))
}

// TestErrorReportBounded checks that a configuration with thousands of
// problems gets a short report that counts the rest.
func TestErrorReportBounded(t *testing.T) {
	origins := make([]string, 40000)
	for i := range origins {
		origins[i] = "ftp://bad/" + strings.Repeat("x", i%7)
	}
	_, err := cors.New(nil, cors.Config{AllowedOrigins: origins})
	require.Error(t, err)
	assert.Less(t, len(err.Error()), 20000)
	assert.Contains(t, err.Error(), "... and 39980 more problems")
	var ce *cors.ConfigError
	assert.True(t, errors.As(err, &ce))
}
