package cors_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/microdot-go/microdot/microdot/cors"
)

// allowedBy reports whether c allows an actual request from origin o, and
// checks that an allowed origin is reflected byte for byte.
func allowedBy(t *testing.T, c *cors.CORS, o string) bool {
	t.Helper()
	h := c.GetCORSHeaders(req("GET", "/", "Origin", o))
	v := h.Values(acao)
	if len(v) == 0 {
		return false
	}
	if v[0] != "*" {
		assert.Equal(t, []string{o}, v, "reflected byte for byte")
	}
	return true
}

// TestOriginMatching is the table of origin patterns and the request origins
// they do and do not match.
func TestOriginMatching(t *testing.T) {
	tests := []struct {
		patterns []string
		match    []string
		noMatch  []string
	}{
		{
			[]string{"https://app.example"},
			[]string{"https://app.example"},
			[]string{
				"https://app.example.evil", "https://app.example:443", "http://app.example",
				"HTTPS://APP.EXAMPLE", "https://APP.example", "https://app.example/", "https://xapp.example",
				"https://app.exampl", "https://app.example.", " https://app.example", "https://app.example ",
				"https://app.example, https://app.example", "null", "", "https://user@app.example",
			},
		},
		{
			[]string{"https://app.example:8443"},
			[]string{"https://app.example:8443"},
			[]string{"https://app.example", "https://app.example:443", "https://app.example:84430", "https://app.example:08443"},
		},
		{
			[]string{"https://*.example.com"},
			[]string{"https://a.example.com", "https://a.b.example.com", "https://x-y.example.com", "https://1.example.com", "https://_a.example.com"},
			[]string{
				"https://example.com", "https://evilexample.com", "https://example.com.evil.net",
				"http://a.example.com", "https://a.example.com:8443", "https://evil.com/.example.com",
				"https://evil.com#.example.com", "https://.example.com", "https://a..example.com",
				"https://a.example.com.", "https://A.example.com", "https://a.example.co",
				"https://a.xexample.com", "https://*.example.com",
			},
		},
		{
			[]string{"https://*.example.com:*"},
			[]string{"https://a.example.com", "https://a.example.com:8443", "https://a.b.example.com:1"},
			[]string{"https://example.com:8443", "http://a.example.com:8443", "https://a.example.com:0", "https://a.example.com:99999", "https://a.example.com:"},
		},
		{
			[]string{"http://localhost:*"},
			[]string{"http://localhost", "http://localhost:3000", "http://localhost:65535"},
			[]string{
				"http://localhost:3000.evil.com", "http://localhost.evil.com", "https://localhost:3000",
				"http://localhost:", "http://localhost:abc", "http://localhost:3000/", "http://a.localhost:3000",
				"http://localhost:65536", "http://localhost:0",
			},
		},
		{
			[]string{"http://[::1]:*", "http://127.0.0.1:8080"},
			[]string{"http://[::1]", "http://[::1]:3000", "http://127.0.0.1:8080"},
			[]string{"http://[::2]:3000", "http://[0::1]:3000", "http://127.0.0.1", "http://127.0.0.1:80800", "http://127.0.0.01:8080"},
		},
		{
			[]string{"null"},
			[]string{"null"},
			[]string{"NULL", "Null", "null ", "https://null"},
		},
		{
			[]string{"copy"},
			[]string{"https://a.example", "http://localhost:3000", "chrome-extension://abc", "http://[::1]:8080", "https://1.2.3.4"},
			[]string{"null", "", "a.example", "https://a.example/", "https://A.example", "https://a.example:0", "https://[::1", "https://1.2.3.400", "https://a b"},
		},
		{
			// GHSA-vhxv-fg4m-p2w8: with two exact origins, a third made of
			// pieces of both must not match.
			[]string{"https://foo.com", "https://bar.com"},
			[]string{"https://foo.com", "https://bar.com"},
			[]string{"https://barfoo.com", "https://foobar.com", "https://foo.combar.com", "https://bar.comfoo.com", "https://foo.bar.com"},
		},
		{
			// Many exact origins use a map instead of a list.
			[]string{
				"https://a1.example", "https://a2.example", "https://a3.example", "https://a4.example", "https://a5.example",
				"https://a6.example", "https://a7.example", "https://a8.example", "https://a9.example", "https://a10.example",
			},
			[]string{"https://a1.example", "https://a10.example"},
			[]string{"https://a11.example", "https://a1.example:443", "https://a.example"},
		},
		{
			[]string{"*"},
			[]string{"https://a.example", "null", "", "anything at all", "HTTPS://A.EXAMPLE"},
			nil,
		},
	}
	for _, tt := range tests {
		c := mustNew(t, cors.Config{AllowedOrigins: tt.patterns})
		for _, o := range tt.match {
			assert.True(t, allowedBy(t, c, o), "%v should allow %q", tt.patterns, o)
		}
		for _, o := range tt.noMatch {
			assert.False(t, allowedBy(t, c, o), "%v should not allow %q", tt.patterns, o)
		}
	}
}

// TestOriginRejectedPatterns lists entries that are configuration errors
// because they would match more than intended (the wildcard advisories of
// other libraries) or could never match.
func TestOriginRejectedPatterns(t *testing.T) {
	for _, p := range []string{
		"h*", "https://*", "*://example.com", "https://*example.com", "https://example.*",
		"https://example.com*", "https://*.example.*", "https://a.*.example.com", "https://**.example.com",
		"*.example.com", "example.com", "https://example.com:*8", "https://exa*mple.com",
		"https://example.com/*", "https://example?.com", "https://[a-z].example.com", "/regex/",
		"https://*.", "https://*.*", "https://*.1.2.3.4", "https://*.[::1]", "http://localhost:*:*",
		"file://", "ftp://", "https://", "://example.com",
	} {
		_, err := cors.New(nil, cors.Config{AllowedOrigins: []string{p}})
		assert.Error(t, err, "%q", p)
	}
}
