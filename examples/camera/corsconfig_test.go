package main

import (
	"bytes"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/cors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// corsFile returns the text of a wsgicors-style file that allows origins
// with credentials, as the shipped cors.ini does.
func corsFile(origins string) string {
	return "[filter:cors]\nuse = egg:wsgicors#middleware\npolicy = dashboard, deny\n" +
		"dashboard_origin = " + origins + "\n" +
		"dashboard_methods = GET, PUT, POST\n" +
		"dashboard_headers = Content-Type, Authorization\n" +
		"dashboard_expose_headers = X-Frame-Number, X-Frame-Resolution\n" +
		"dashboard_credentials = true\n" +
		"dashboard_maxage = 600\n"
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
}

// allowed reports whether a preflight for PUT /api/settings from origin
// succeeds.
func allowed(client *microdot.TestClient, origin string) bool {
	res := client.Options("/api/settings", "Origin", origin,
		"Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "content-type")
	return res.StatusCode == http.StatusNoContent && res.Header.Get("Access-Control-Allow-Origin") == origin
}

func TestShippedCORSFile(t *testing.T) {
	cfg, err := cors.LoadFile("cors.ini")
	require.NoError(t, err)
	require.Len(t, cfg.Policies, 2)
	p := cfg.Policies[0]
	assert.Equal(t, []string{"http://127.0.0.1:8081"}, p.AllowedOrigins)
	assert.True(t, p.AllowCredentials)
	assert.Contains(t, p.AllowedMethods, "PUT")
	assert.Equal(t, 600, p.MaxAge)

	cam := NewCamera(DefaultSettings, "TEST")
	app, _, err := newAPIApp(cam, newTestAuth(t, testPassword), cfg, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	client := microdot.NewTestClient(app)
	assert.True(t, allowed(client, "http://127.0.0.1:8081"))
	assert.False(t, allowed(client, "http://127.0.0.1:8082"))
	res := client.Get("/api/snapshot", "Origin", "http://127.0.0.1:8081")
	assert.Equal(t, "true", res.Header.Get("Access-Control-Allow-Credentials"))
	assert.Contains(t, res.Header.Get("Access-Control-Expose-Headers"), hFrameResolution)
}

func TestCORSConfigFromFlags(t *testing.T) {
	cfg, err := corsConfig(corsOptions{}, []string{testDashboard}, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{testDashboard}, cfg.AllowedOrigins)
	assert.True(t, cfg.AllowCredentials)
	assert.Equal(t, []string{"GET", "PUT", "POST"}, cfg.AllowedMethods)
	assert.Equal(t, []string{"Content-Type", "Authorization"}, cfg.AllowedHeaders)
	assert.Equal(t, 600, cfg.MaxAge)

	cfg, err = corsConfig(corsOptions{origins: " http://a.test:1, https://b.test ,"}, []string{testDashboard}, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"http://a.test:1", "https://b.test"}, cfg.AllowedOrigins)

	_, err = corsConfig(corsOptions{origins: "http://a.test", file: "cors.ini"}, nil, nil)
	assert.ErrorContains(t, err, "cannot be combined")

	_, err = corsConfig(corsOptions{file: "cors.ini", insecure: true}, nil, nil)
	assert.ErrorContains(t, err, "-cors-origin only")

	_, err = corsConfig(corsOptions{file: filepath.Join(t.TempDir(), "missing.ini")}, nil, nil)
	assert.Error(t, err)

	// A plain-http LAN origin with credentials needs the explicit flag.
	cfg, err = corsConfig(corsOptions{origins: "http://192.168.1.20:8081"}, nil, nil)
	require.NoError(t, err)
	_, _, err = newAPIApp(NewCamera(DefaultSettings, "T"), newTestAuth(t, "x"), cfg, nil)
	assert.ErrorContains(t, err, "DangerouslyAllowInsecureOrigins")
	cfg, err = corsConfig(corsOptions{origins: "http://192.168.1.20:8081", insecure: true}, nil, nil)
	require.NoError(t, err)
	_, _, err = newAPIApp(NewCamera(DefaultSettings, "T"), newTestAuth(t, "x"), cfg, nil)
	assert.NoError(t, err)
}

func TestCORSReloadThroughUpdate(t *testing.T) {
	const (
		first  = "http://127.0.0.1:7001"
		second = "http://127.0.0.1:7002"
		both   = "http://127.0.0.1:7000" // in every version of the file
	)
	path := filepath.Join(t.TempDir(), "cors.ini")
	writeFile(t, path, corsFile(both+" "+first))
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&syncWriter{w: &logs}, nil))
	opts := corsOptions{file: path}
	cfg, err := corsConfig(opts, nil, logger)
	require.NoError(t, err)

	cam := NewCamera(DefaultSettings, "TEST")
	app, c, err := newAPIApp(cam, newTestAuth(t, testPassword), cfg, logger)
	require.NoError(t, err)
	client := microdot.NewTestClient(app)
	assert.True(t, allowed(client, first))
	assert.False(t, allowed(client, second))

	// Requests keep being served, each with one policy or the other, while
	// the file is reloaded: none fails.
	var stop atomic.Bool
	var failures atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for !stop.Load() {
				if !allowed(client, both) {
					failures.Add(1)
				}
			}
		})
	}

	r := &corsReloader{cors: c, opts: opts, logger: logger}
	writeFile(t, path, corsFile(both+" "+second))
	require.NoError(t, r.Reload())
	assert.False(t, allowed(client, first))
	assert.True(t, allowed(client, second))

	// A broken file is refused and the policy in force stays.
	writeFile(t, path, corsFile("*")) // "*" with credentials is refused
	err = r.Reload()
	require.Error(t, err)
	assert.Contains(t, err.Error(), path)
	assert.True(t, allowed(client, second))
	writeFile(t, path, "[filter:cors]\npolicy = dashboard\ndashboard_origin = http://x.test\ndashboard_nonsense = 1\n")
	assert.Error(t, r.Reload())
	assert.True(t, allowed(client, second))
	require.NoError(t, os.Remove(path))
	assert.Error(t, r.Reload())
	assert.True(t, allowed(client, second))

	// And back.
	writeFile(t, path, corsFile(both+" "+first))
	require.NoError(t, r.Reload())
	assert.True(t, allowed(client, first))
	assert.False(t, allowed(client, second))

	stop.Store(true)
	wg.Wait()
	assert.Zero(t, failures.Load(), "requests failed during reloads")

	// Without a file there is nothing to reload.
	assert.Error(t, (&corsReloader{cors: c, logger: logger}).Reload())
}

// syncWriter serialises writes to w.
type syncWriter struct {
	mu sync.Mutex
	w  interface{ Write([]byte) (int, error) }
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
