package cors_test

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/cors"
)

// TestUpdateWhileServing changes the policy back and forth while requests
// are served through Handler and through an App, and checks that every
// response follows one policy or the other, never a mix. Run it with -race.
func TestUpdateWhileServing(t *testing.T) {
	cfgA := cors.Config{
		AllowedOrigins: []string{"https://a.example"}, AllowCredentials: true,
		ExposeHeaders: []string{"X-A"}, AllowedMethods: []string{"PUT"}, MaxAge: 60,
	}
	cfgB := cors.Config{
		AllowedOrigins: []string{"https://b.example"},
		ExposeHeaders:  []string{"X-B"}, AllowedMethods: []string{"DELETE"}, MaxAge: 120,
	}
	c := mustNew(t, cfgA)
	app := microdot.New()
	app.Route("/", text("x"), "GET", "PUT", "DELETE")
	c.Initialize(app)
	handler := c.Handler(spy)

	// consistent reports whether the headers of one response follow a
	// single policy.
	consistent := func(h http.Header) bool {
		switch h.Get(acao) {
		case "":
			return len(corsHeaders(h)) == 0
		case "https://a.example":
			ok := h.Get(acac) == "true"
			if h.Get(acam) != "" {
				return ok && h.Get(acam) == "PUT" && h.Get(acma) == "60" && h.Get(aceh) == ""
			}
			return ok && h.Get(aceh) == "X-A"
		case "https://b.example":
			ok := h.Get(acac) == ""
			if h.Get(acam) != "" {
				return ok && h.Get(acam) == "DELETE" && h.Get(acma) == "120" && h.Get(aceh) == ""
			}
			return ok && h.Get(aceh) == "X-B"
		}
		return false
	}

	var stop atomic.Bool
	var updates atomic.Int64
	updaterDone := make(chan struct{})
	go func() {
		defer close(updaterDone)
		for i := 0; !stop.Load(); i++ {
			next := cfgA
			if i%2 == 0 {
				next = cfgB
			}
			assert.NoError(t, c.Update(func(cfg *cors.Config) { *cfg = next }))
			// Failed updates change nothing.
			assert.Error(t, c.Update(func(cfg *cors.Config) { cfg.AllowedOrigins = []string{"*"}; cfg.AllowCredentials = true }))
			_ = c.Config()
			updates.Add(1)
		}
	}()
	requests := []*http.Request{
		req("GET", "/", "Origin", "https://a.example"),
		req("GET", "/", "Origin", "https://b.example"),
		req("GET", "/"),
		req("OPTIONS", "/", "Origin", "https://a.example", acrm, "PUT"),
		req("OPTIONS", "/", "Origin", "https://b.example", acrm, "DELETE"),
		req("OPTIONS", "/", "Origin", "https://a.example", acrm, "DELETE"),
	}
	var wg sync.WaitGroup
	for g := 0; g < 6; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 300; i++ {
				for _, r := range requests {
					for _, h := range []http.Handler{handler, app} {
						w := httptest.NewRecorder()
						h.ServeHTTP(w, r.Clone(r.Context()))
						if !assert.True(t, consistent(w.Header()), "mixed policies: %v", w.Header()) {
							return
						}
					}
					if !consistent(c.GetCORSHeaders(r)) {
						t.Errorf("GetCORSHeaders mixed policies")
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	stop.Store(true)
	<-updaterDone
	require.Positive(t, updates.Load())
	cfg := c.Config()
	assert.True(t, cfg.AllowedOrigins[0] == "https://a.example" || cfg.AllowedOrigins[0] == "https://b.example")
}
