package cors_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/microdot-go/microdot/microdot/cors"
)

// TestAllocations pins the number of allocations per request of Handler:
// at most one on the paths that add headers (in fact none on average, see
// slots.go), none at all on refusals, whatever their size. Allocation counts
// are deterministic, unlike timings, so they are asserted here.
func TestAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counts need a normal run")
	}
	credentialedAny := mustNew(t, cors.Config{
		AllowedOrigins:   []string{"https://example.com", "https://*.example.com", "http://localhost:*"},
		AllowCredentials: true,
		AllowedMethods:   []string{"*"},
		ExposeHeaders:    []string{"X-Request-Id"},
		MaxAge:           -1,
	})
	anyOrigin := mustNew(t, cors.Config{AllowedOrigins: []string{"*"}, ExposeHeaders: []string{"X-A"}})
	policies := mustNew(t, cors.Config{MatchStrategy: cors.VerbMatch, Policies: []cors.Policy{
		{Name: "write", AllowedOrigins: []string{"https://app.example"}, AllowedMethods: []string{"PUT"}, AllowCredentials: true},
		{Name: "read", AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}},
	}})
	type allocCase struct {
		name   string
		c      *cors.CORS
		r      *http.Request
		status int // 0: the handler ran
		max    float64
	}
	var tests []allocCase
	add := func(name string, c *cors.CORS, r *http.Request, status int, max float64) {
		tests = append(tests, allocCase{name, c, r, status, max})
	}
	bench := mustNew(t, benchConfig)
	for _, bc := range benchCases {
		max := 1.0
		if bc.status == http.StatusForbidden {
			max = 0
		}
		add("bench config: "+bc.name, bench, bc.req, bc.status, max)
	}
	add("credentialed subdomain actual", credentialedAny, req("GET", "/", "Origin", "https://a.b.example.com"), 0, 1)
	add("credentialed port wildcard actual", credentialedAny, req("GET", "/", "Origin", "http://localhost:3000"), 0, 1)
	add("credentialed preflight echoing headers", credentialedAny, req("OPTIONS", "/", "Origin", "http://localhost:3000", acrm, "PATCH", acrh, "x-a,x-b"), 204, 1)
	add("credentialed preflight echoing two lines", credentialedAny, req("OPTIONS", "/", "Origin", "http://localhost:3000", acrm, "PATCH", acrh, "x-a", acrh, "x-b"), 204, 1)
	add("credentialed preflight 65 names", credentialedAny, req("OPTIONS", "/", "Origin", "http://localhost:3000", acrm, "PATCH", acrh, floodNames(65)), 403, 0)
	add("credentialed preflight bad origin", credentialedAny, req("OPTIONS", "/", "Origin", "https://example.com.evil", acrm, "PATCH"), 403, 0)
	add("credentialed preflight bad method", credentialedAny, req("OPTIONS", "/", "Origin", "https://example.com", acrm, "TRACE"), 403, 0)
	add("credentialed preflight megabyte of commas", credentialedAny, req("OPTIONS", "/", "Origin", "https://example.com", acrm, "PUT", acrh, strings.Repeat(",", 1<<20)), 403, 0)
	add("any origin non-CORS", anyOrigin, req("GET", "/"), 0, 1)
	add("any origin actual", anyOrigin, req("GET", "/", "Origin", "https://a.example"), 0, 1)
	add("any origin preflight", anyOrigin, req("OPTIONS", "/", "Origin", "https://a.example", acrm, "GET", acrh, "x-a"), 204, 1)
	add("policies actual", policies, req("GET", "/", "Origin", "https://b.example"), 0, 1)
	add("policies preflight", policies, req("OPTIONS", "/", "Origin", "https://app.example", acrm, "PUT"), 204, 1)
	add("policies preflight refused", policies, req("OPTIONS", "/", "Origin", "https://b.example", acrm, "PUT"), 403, 0)

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.c.Handler(nopHandler)
			w := newNopWriter()
			n := testing.AllocsPerRun(1000, func() {
				w.reset()
				h.ServeHTTP(w, tt.r)
			})
			require.Equal(t, tt.status, w.status)
			assert.LessOrEqual(t, n, tt.max)
			t.Logf("%.0f allocations", n)
		})
	}
}
