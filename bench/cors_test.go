package bench

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	jub0bs "github.com/jub0bs/cors"
	"github.com/julienschmidt/httprouter"
	"github.com/microdot-go/microdot/microdot"
	mcors "github.com/microdot-go/microdot/microdot/cors"
	rscors "github.com/rs/cors"
)

// CORS middleware benchmarks: the extension's Handler against rs/cors and
// jub0bs/cors wrapping the same no-op handler, with the same policy; then the
// App with the extension against httprouter wrapped by jub0bs/cors.
//
//	go test -run XXX -bench 'CORS' -benchmem

const corsOrigin = "https://example.com"

var (
	corsMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete}
	corsHeaders = []string{"Authorization", "Content-Type", "X-Requested-With"}
)

// corsCase is one request and what a correct middleware answers to it.
type corsCase struct {
	name    string
	req     func() *http.Request
	allowed bool // the response carries Access-Control-Allow-Origin
	handler bool // the wrapped handler runs
}

func corsRequest(method, origin string, header ...string) func() *http.Request {
	return func() *http.Request {
		r := httptest.NewRequest(method, "/items", nil)
		if origin != "" {
			r.Header.Set("Origin", origin)
		}
		for i := 0; i < len(header); i += 2 {
			r.Header.Set(header[i], header[i+1])
		}
		return r
	}
}

func floodNames() string {
	names := make([]string, 1000)
	for i := range names {
		names[i] = fmt.Sprintf("x-h%04d", i)
	}
	return strings.Join(names, ",")
}

var corsCases = []corsCase{
	{"non-CORS", corsRequest(http.MethodGet, ""), false, true},
	{"actual-allowed", corsRequest(http.MethodGet, corsOrigin), true, true},
	{"preflight-3-headers", corsRequest(http.MethodOptions, corsOrigin,
		"Access-Control-Request-Method", "PUT",
		"Access-Control-Request-Headers", "authorization,content-type,x-requested-with"), true, false},
	{"preflight-disallowed-origin", corsRequest(http.MethodOptions, "https://example.com.evil.org",
		"Access-Control-Request-Method", "PUT"), false, false},
	{"preflight-1000-names", corsRequest(http.MethodOptions, corsOrigin,
		"Access-Control-Request-Method", "PUT",
		"Access-Control-Request-Headers", floodNames()), false, false},
}

// microdotPolicy is the common policy in the extension's terms.
var microdotPolicy = mcors.Config{
	AllowedOrigins: []string{corsOrigin},
	AllowedMethods: corsMethods,
	AllowedHeaders: corsHeaders,
	MaxAge:         600,
}

// jub0bsWrap wraps next in jub0bs/cors with the common policy.
func jub0bsWrap(tb testing.TB, next http.Handler) http.Handler {
	m, err := jub0bs.NewMiddleware(jub0bs.Config{
		Origins:         []string{corsOrigin},
		Methods:         corsMethods,
		RequestHeaders:  corsHeaders,
		MaxAgeInSeconds: 600,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return m.Wrap(next)
}

// corsPeer is one CORS middleware wrapping next.
// corsContender is one CORS set-up of the benchmarks: build returns the
// server, with next as the handler its routes or middleware lead to.
type corsContender struct {
	name  string
	build func(tb testing.TB, next *countingHandler) http.Handler
}

// corsPeers are the middleware of BenchmarkCORS, each wrapping next.
var corsPeers = []corsContender{
	{"microdot", func(tb testing.TB, next *countingHandler) http.Handler {
		c, err := mcors.New(nil, microdotPolicy)
		if err != nil {
			tb.Fatal(err)
		}
		return c.Handler(next)
	}},
	{"jub0bs", func(tb testing.TB, next *countingHandler) http.Handler {
		return jub0bsWrap(tb, next)
	}},
	{"rs", func(tb testing.TB, next *countingHandler) http.Handler {
		return rscors.New(rscors.Options{
			AllowedOrigins: []string{corsOrigin},
			AllowedMethods: corsMethods,
			AllowedHeaders: corsHeaders,
			MaxAge:         600,
		}).Handler(next)
	}},
}

// countingHandler counts its calls and writes nothing.
type countingHandler struct{ calls int }

func (h *countingHandler) ServeHTTP(http.ResponseWriter, *http.Request) { h.calls++ }

// checkCORS checks, outside the timed loop, that h answers c correctly.
func checkCORS(tb testing.TB, h http.Handler, next *countingHandler, c corsCase) {
	tb.Helper()
	w := newCheckWriter()
	before := next.calls
	h.ServeHTTP(w, c.req())
	acao := w.header.Get("Access-Control-Allow-Origin")
	if got := acao != ""; got != c.allowed {
		tb.Fatalf("%s: Access-Control-Allow-Origin %q, want allowed=%v", c.name, acao, c.allowed)
	}
	if got := next.calls > before; got != c.handler {
		tb.Fatalf("%s: handler ran=%v, want %v", c.name, got, c.handler)
	}
	if c.allowed && !c.handler && (w.code() < 200 || w.code() > 299) {
		tb.Fatalf("%s: preflight status %d", c.name, w.code())
	}
}

func BenchmarkCORS(b *testing.B) { benchCORS(b, corsPeers) }

// benchCORS times every CORS case on every contender, each checked first.
func benchCORS(b *testing.B, contenders []corsContender) {
	for _, c := range corsCases {
		for _, ct := range contenders {
			b.Run(c.name+"/"+ct.name, func(b *testing.B) {
				next := &countingHandler{}
				h := ct.build(b, next)
				checkCORS(b, h, next, c)
				benchServe(b, h, c.req())
			})
		}
	}
}

// corsApps are the two servers of BenchmarkCORSApp: the App with the
// extension, and httprouter wrapped by jub0bs/cors, both serving GET and PUT
// /items with a handler that counts its calls.
var corsApps = []corsContender{
	{"microdot-app", func(tb testing.TB, next *countingHandler) http.Handler {
		app := microdot.New()
		h := func(*microdot.Request) (*microdot.Response, error) {
			next.calls++
			return nil, nil
		}
		app.Get("/items", h)
		app.Put("/items", h)
		if _, err := mcors.New(app, microdotPolicy); err != nil {
			tb.Fatal(err)
		}
		return app
	}},
	{"httprouter-jub0bs", func(tb testing.TB, next *countingHandler) http.Handler {
		r := httprouter.New()
		h := func(w http.ResponseWriter, r *http.Request, _ httprouter.Params) { next.ServeHTTP(w, r) }
		r.GET("/items", h)
		r.PUT("/items", h)
		return jub0bsWrap(tb, r)
	}},
}

// BenchmarkCORSApp compares the App with the CORS extension against
// httprouter wrapped by jub0bs/cors, with no-op handlers for GET and PUT
// /items.
func BenchmarkCORSApp(b *testing.B) { benchCORS(b, corsApps) }

// TestCORSPeersAgree checks that every middleware and both App set-ups
// give each case the expected outcome, so the benchmarks compare like with
// like.
func TestCORSPeersAgree(t *testing.T) {
	for _, c := range corsCases {
		for _, ct := range slices.Concat(corsPeers, corsApps) {
			t.Run(c.name+"/"+ct.name, func(t *testing.T) {
				next := &countingHandler{}
				checkCORS(t, ct.build(t, next), next, c)
			})
		}
	}
}
