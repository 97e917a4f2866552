package main

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/microdot-go/microdot/microdot"
)

// rewriteInPlace rewrites the file at path as a careless editor does:
// truncate, write part of the text, pause 10 ms, write the rest.
func rewriteInPlace(t *testing.T, path, text string, cut int) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	require.NoError(t, err)
	_, err = f.WriteString(text[:cut])
	require.NoError(t, err)
	time.Sleep(10 * time.Millisecond)
	_, err = f.WriteString(text[cut:])
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

// unintended lists the origins that a half-written version of texts would
// allow: every proper prefix of their origins that is still an origin.
func unintended(intended []string) []string {
	out := []string{"https://evil.example", "null"}
	for _, o := range intended {
		for i := len("https://x"); i < len(o); i++ {
			p := o[:i]
			if !strings.HasSuffix(p, ":") && !strings.HasSuffix(p, ".") {
				out = append(out, p)
			}
		}
	}
	return out
}

// editInPlace rewrites the file at path in place with each of versions in
// turn, for d, as an editor would: cut inside the origin line, with pauses
// long enough for some reloads to go through.
func editInPlace(t *testing.T, path string, versions []string, d time.Duration) {
	deadline := time.Now().Add(d)
	for i := 0; time.Now().Before(deadline); i++ {
		text := versions[i%2]
		at := strings.Index(text, "dashboard_origin = ") + len("dashboard_origin = https://cam.example.co")
		rewriteInPlace(t, path, text, at+rand.IntN(20))
		time.Sleep(time.Duration(rand.IntN(100)) * time.Millisecond)
	}
}

// probeOrigins starts three goroutines that, until stop, send requests and
// preflights from the origins bad and count those that are allowed.
func probeOrigins(t *testing.T, wg *sync.WaitGroup, stop *atomic.Bool, client *microdot.TestClient, bad []string) (leaks, served *atomic.Int64) {
	leaks, served = new(atomic.Int64), new(atomic.Int64)
	for w := range 3 {
		wg.Go(func() {
			for i := w; !stop.Load(); i++ {
				o := bad[i%len(bad)]
				res := client.Get("/api/status", "Origin", o)
				if res.Header.Get("Access-Control-Allow-Origin") != "" || allowed(client, o) {
					leaks.Add(1)
					t.Errorf("origin %q allowed", o)
				}
				served.Add(1)
			}
		})
	}
	return leaks, served
}

// signalBursts sends bursts of five signals on hup, 10 to 20 ms apart,
// until stop.
func signalBursts(stop *atomic.Bool, hup chan<- os.Signal) {
	for !stop.Load() {
		for range 5 {
			select {
			case hup <- os.Interrupt:
			default:
			}
		}
		time.Sleep(time.Duration(10+rand.IntN(10)) * time.Millisecond)
	}
}

// TestCORSReloadUnderRewrites rewrites the CORS file in place, cutting the
// origin line mid-word, while SIGHUPs arrive in bursts and requests from
// origins that a truncated file would allow are served: none of them may
// ever get Access-Control-Allow-Origin.
func TestCORSReloadUnderRewrites(t *testing.T) {
	versions := []string{
		corsFile("https://cam.example.com http://127.0.0.1:8081"),
		corsFile("https://cam.example.com https://cam.example.org:8443"),
	}
	intended := []string{"https://cam.example.com", "http://127.0.0.1:8081", "https://cam.example.org:8443"}
	bad := unintended(intended)
	path := filepath.Join(t.TempDir(), "cors.ini")
	writeFile(t, path, versions[0])
	var logs lockedBuffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	opts := corsOptions{file: path}
	cfg, err := corsConfig(opts, nil, logger)
	require.NoError(t, err)
	app, c, err := newAPIApp(NewCamera(DefaultSettings, "TEST"), newTestAuth(t, testPassword), cfg, logger)
	require.NoError(t, err)
	client := microdot.NewTestClient(app)
	ctx, cancel := context.WithCancel(context.Background())
	hup := make(chan os.Signal, 1)
	r := &corsReloader{cors: c, opts: opts, logger: logger, settle: 40 * time.Millisecond, quiet: 5 * time.Millisecond}
	var wg sync.WaitGroup
	var stop atomic.Bool
	t.Cleanup(func() { stop.Store(true); cancel(); wg.Wait() })
	wg.Go(func() { r.watch(ctx, hup) })
	leaks, served := probeOrigins(t, &wg, &stop, client, bad)
	wg.Go(func() { signalBursts(&stop, hup) })

	editInPlace(t, path, versions, 1500*time.Millisecond)

	// The last version, written whole, is put in force.
	writeFile(t, path, versions[1])
	hup <- os.Interrupt
	require.Eventually(t, func() bool { return allowed(client, "https://cam.example.org:8443") }, 20*time.Second, 10*time.Millisecond)

	assert.Zero(t, leaks.Load(), "responses to unintended origins")
	assert.Positive(t, served.Load())
	reloads := strings.Count(logs.String(), "cors: policy reloaded")
	t.Logf("%d requests from unintended origins, %d reloads", served.Load(), reloads)
	assert.Positive(t, reloads)
}

// TestCORSReloadCoalescesSignals checks that a burst of SIGHUPs is one
// reload, and that a file without a final newline still loads.
func TestCORSReloadCoalescesSignals(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cors.ini")
	writeFile(t, path, strings.TrimSuffix(corsFile("https://cam.example.com"), "\n"))
	var logs lockedBuffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	opts := corsOptions{file: path}
	cfg, err := corsConfig(opts, nil, logger)
	require.NoError(t, err)
	_, c, err := newAPIApp(NewCamera(DefaultSettings, "TEST"), newTestAuth(t, testPassword), cfg, logger)
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	hup := make(chan os.Signal)
	r := &corsReloader{cors: c, opts: opts, logger: logger, settle: 10 * time.Millisecond, quiet: time.Second}
	var wg sync.WaitGroup
	wg.Go(func() { r.watch(ctx, hup) })
	for range 20 {
		hup <- os.Interrupt
	}
	require.Eventually(t, func() bool { return strings.Contains(logs.String(), "cors: policy reloaded") }, 20*time.Second, 10*time.Millisecond)
	cancel()
	wg.Wait()
	assert.Equal(t, 1, strings.Count(logs.String(), "cors: policy reloaded"), logs.String())
	assert.Equal(t, []string{"https://cam.example.com"}, c.Config().Policies[0].AllowedOrigins)
}
