package cors_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/microdot-go/microdot/microdot/cors"
)

// Regression tests for the published advisories and open security issues of
// other CORS libraries, and for the flaws of Microdot's and wsgicors's CORS
// support: each is a way to misbehave that this package must never have.

// rs/cors#170 (GHSA-mh55-gqvf-xfwm, CVE-2025-47908) and go-chi/cors#36: an
// Access-Control-Request-Headers of thousands of names or commas made the
// middleware allocate in proportion. Here it is refused with no allocation.
func TestAdvisoryACRHAllocationFlood(t *testing.T) {
	c := mustNew(t, benchConfig)
	h := c.Handler(nopHandler)
	for _, v := range []string{
		floodNames(1000),
		strings.Repeat(",", 1<<20),
		strings.TrimSuffix(strings.Repeat("content-type,", 1000), ","),
		strings.Repeat("a", 1<<20),
	} {
		r := req("OPTIONS", "/", "Origin", "https://example.com", acrm, "PUT", acrh, v)
		w := newNopWriter()
		n := testing.AllocsPerRun(100, func() {
			w.reset()
			h.ServeHTTP(w, r)
		})
		assert.Equal(t, http.StatusForbidden, w.status)
		assert.Zero(t, n)
		assert.Empty(t, w.h)
	}
}

// rs/cors#197: "h*" with credentials reflected nearly any origin with
// Access-Control-Allow-Credentials. CVE-2018-20744 (rs/cors#55) and
// echo#2400: "*" with credentials reflected any origin. Every such pattern
// is a configuration error here, credentials or not for the malformed ones.
func TestAdvisoryWildcardCredentials(t *testing.T) {
	for _, o := range []string{"h*", "https://*", "*", "copy", "null", "http*://*.example.com"} {
		_, err := cors.New(nil, cors.Config{AllowedOrigins: []string{o}, AllowCredentials: true})
		assert.Error(t, err, "%q with credentials", o)
	}
}

// CVE-2019-25211 (gin-contrib/cors): a trailing wildcard, meant for paths,
// let https://example.community in. Here the pattern is refused, and an
// exact origin never matches a longer one.
func TestAdvisoryTrailingWildcard(t *testing.T) {
	_, err := cors.New(nil, cors.Config{AllowedOrigins: []string{"https://example.com/*"}})
	assert.Error(t, err)
	_, err = cors.New(nil, cors.Config{AllowedOrigins: []string{"https://example.com*"}})
	assert.Error(t, err)
	c := mustNew(t, cors.Config{AllowedOrigins: []string{"https://example.com"}})
	for _, o := range []string{"https://example.community", "https://example.com.evil.org", "https://example.co"} {
		assert.False(t, allowedBy(t, c, o), o)
	}
}

// GHSA-vhxv-fg4m-p2w8 (jub0bs/cors < 0.1.3): with https://foo.com and
// https://bar.com allowed, https://barfoo.com was allowed too.
func TestAdvisoryOriginConcatenation(t *testing.T) {
	c := mustNew(t, cors.Config{AllowedOrigins: []string{"https://foo.com", "https://bar.com", "https://*.baz.com"}})
	for _, o := range []string{"https://barfoo.com", "https://foobar.com", "https://bar.foo.com", "https://foo.combar.com", "https://barbaz.com", "https://bar.com.baz.com.evil"} {
		assert.False(t, allowedBy(t, c, o), o)
	}
	assert.True(t, allowedBy(t, c, "https://bar.baz.com"))
}

// rs/cors#198 (and jub0bs/cors#14): header values held in slices shared
// between responses let one handler change, or race on, the headers of every
// other response. Here each response owns its slices: a handler that
// rewrites and appends to them touches nothing else. Run with -race.
func TestAdvisorySharedHeaderSlices(t *testing.T) {
	c := mustNew(t, cors.Config{
		AllowedOrigins: []string{"https://a.example"}, AllowCredentials: true,
		ExposeHeaders: []string{"X-A"}, AllowedMethods: []string{"PUT"}, MaxAge: 60,
	})
	vandal := c.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range w.Header() {
			for i := range v {
				v[i] = "corrupted"
			}
			w.Header()[k] = append(v, "appended")
		}
	}))
	good := []struct {
		r    *http.Request
		want http.Header
	}{
		{req("GET", "/", "Origin", "https://a.example"), http.Header{
			acao: {"https://a.example"}, acac: {"true"}, aceh: {"X-A"}, "Vary": {"Origin"}}},
		{req("GET", "/"), http.Header{"Vary": {"Origin"}}},
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				vandal.ServeHTTP(httptest.NewRecorder(), req("GET", "/", "Origin", "https://a.example"))
				vandal.ServeHTTP(httptest.NewRecorder(), req("GET", "/"))
				vandal.ServeHTTP(httptest.NewRecorder(), req("OPTIONS", "/", "Origin", "https://a.example", acrm, "PUT"))
				for _, tc := range good {
					w := serve(c, tc.r)
					got := w.Header().Clone()
					delete(got, "X-Handler")
					if !assert.Equal(t, tc.want, got) {
						return
					}
				}
			}
		}()
	}
	wg.Wait()

	// Appending to a value never spills into the next response's values.
	w1, w2 := newNopWriter(), newNopWriter()
	h := c.Handler(nopHandler)
	h.ServeHTTP(w1, req("GET", "/", "Origin", "https://a.example"))
	h.ServeHTTP(w2, req("GET", "/", "Origin", "https://a.example"))
	for k, v := range w1.h {
		require.Equal(t, len(v), cap(v), "%s: capacity equals length", k)
		w1.h[k] = append(v, "spill")
	}
	assert.Equal(t, "https://a.example", w2.h.Get(acao))
	assert.Equal(t, []string{"Origin"}, w2.h.Values("Vary"))
}

// wsgicors flaw B3: an empty Origin on a preflight made wsgicors send its
// raw origin setting as Access-Control-Allow-Origin.
func TestAdvisoryEmptyOriginLeak(t *testing.T) {
	c := mustNew(t, cors.Config{AllowedOrigins: []string{"http://example.com", "https://*.example.com"}})
	w := serve(c, preflight("", "GET"))
	assert.Equal(t, http.StatusForbidden, w.Code)
	assert.Empty(t, corsHeaders(w.Header()))
}

// wsgicors flaw B5: keys were split with str.split, so for a policy named
// "e", the key e_expose_headers set the allowed headers.
func TestAdvisoryPolicyKeyPrefix(t *testing.T) {
	cfg, err := cors.ParseConfig(strings.NewReader("policy = e, expose\ne_origin = *\ne_expose_headers = X-A\nexpose_origin = https://a.example\nexpose_headers = X-B\n"), "b5.ini")
	require.NoError(t, err)
	require.Len(t, cfg.Policies, 2)
	assert.Equal(t, []string{"X-A"}, cfg.Policies[0].ExposeHeaders)
	assert.Equal(t, []string{}, cfg.Policies[0].AllowedHeaders)
	assert.Equal(t, []string{"X-B"}, cfg.Policies[1].AllowedHeaders)
	assert.Nil(t, cfg.Policies[1].ExposeHeaders)
}

// wsgicors flaw B9: an unknown matchstrategy crashed every CORS request.
// Microdot flaw 10: a string of origins was tested as a substring.
func TestAdvisoryMisconfigurationsAreErrors(t *testing.T) {
	_, err := cors.New(nil, cors.Config{AllowedOrigins: []string{"*"}, MatchStrategy: "lastmatch"})
	assert.Error(t, err)
	c := mustNew(t, cors.Config{AllowedOrigins: []string{"https://example.com"}})
	assert.False(t, allowedBy(t, c, "https://example.co"))
	assert.False(t, allowedBy(t, c, "example.com"))
}
