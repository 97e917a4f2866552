package cors_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/microdot-go/microdot/microdot/cors"
)

// benchConfig is the configuration of the comparison with other libraries:
// one origin, four methods, three request headers, a max age.
var benchConfig = cors.Config{
	AllowedOrigins: []string{"https://example.com"},
	AllowedMethods: []string{"GET", "POST", "PUT", "DELETE"},
	AllowedHeaders: []string{"Authorization", "Content-Type", "X-Requested-With"},
	ExposeHeaders:  []string{"X-Request-Id"},
	MaxAge:         600,
}

func floodNames(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("x-h")
		b.WriteString(strings.Repeat("0", 4-len(itoa(i))))
		b.WriteString(itoa(i))
	}
	return b.String()
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var d []byte
	for ; i > 0; i /= 10 {
		d = append([]byte{byte('0' + i%10)}, d...)
	}
	return string(d)
}

// benchCases are the request shapes measured, with the status each must
// produce (0: the handler ran).
var benchCases = []struct {
	name   string
	req    *http.Request
	status int
}{
	{"non-CORS", req("GET", "/"), 0},
	{"actual allowed", req("GET", "/", "Origin", "https://example.com"), 0},
	{"actual disallowed", req("GET", "/", "Origin", "https://example.com.evil.org"), 0},
	{"preflight allowed 3 headers", req("OPTIONS", "/", "Origin", "https://example.com",
		"Access-Control-Request-Method", "PUT",
		"Access-Control-Request-Headers", "authorization,content-type,x-requested-with"), 204},
	{"preflight disallowed origin", req("OPTIONS", "/", "Origin", "https://example.com.evil.org",
		"Access-Control-Request-Method", "PUT"), 403},
	{"preflight 1000 names", req("OPTIONS", "/", "Origin", "https://example.com",
		"Access-Control-Request-Method", "PUT",
		"Access-Control-Request-Headers", floodNames(1000)), 403},
	{"preflight 1000 repeats", req("OPTIONS", "/", "Origin", "https://example.com",
		"Access-Control-Request-Method", "PUT",
		"Access-Control-Request-Headers", strings.TrimSuffix(strings.Repeat("content-type,", 1000), ",")), 403},
	{"preflight 1000 commas", req("OPTIONS", "/", "Origin", "https://example.com",
		"Access-Control-Request-Method", "PUT",
		"Access-Control-Request-Headers", "authorization"+strings.Repeat(",", 1000)), 403},
}

func BenchmarkHandler(b *testing.B) {
	c := mustNew(b, benchConfig)
	h := c.Handler(nopHandler)
	for _, bc := range benchCases {
		b.Run(bc.name, func(b *testing.B) {
			w := newNopWriter()
			b.ReportAllocs()
			for b.Loop() {
				w.reset()
				h.ServeHTTP(w, bc.req)
			}
			if w.status != bc.status {
				b.Fatalf("status %d, want %d", w.status, bc.status)
			}
		})
	}
}

func BenchmarkHandlerAnyOrigin(b *testing.B) {
	c := mustNew(b, cors.Config{AllowedOrigins: []string{"*"}, ExposeHeaders: []string{"X-Request-Id"}})
	h := c.Handler(nopHandler)
	for _, bc := range benchCases[:2] {
		b.Run(bc.name, func(b *testing.B) {
			w := newNopWriter()
			b.ReportAllocs()
			for b.Loop() {
				w.reset()
				h.ServeHTTP(w, bc.req)
			}
		})
	}
}

func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cors.New(nil, benchConfig); err != nil {
			b.Fatal(err)
		}
	}
}
