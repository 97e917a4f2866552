package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"image/jpeg"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/microdot-go/microdot/microdot"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lockedBuffer is a bytes.Buffer that run may write while the test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startRun runs the program with args until the test ends, and returns the
// URLs it printed, its log, and a function that stops it and returns run's
// result.
func startRun(t *testing.T, args ...string) (apiURL, dashURL string, logs *lockedBuffer, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout lockedBuffer
	logs = &lockedBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, &stdout, logs) }()
	var once sync.Once
	var result error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case result = <-done:
			case <-time.After(15 * time.Second):
				result = errors.New("run did not return within 15 s of its context being cancelled")
			}
		})
		return result
	}
	t.Cleanup(func() { stop() })

	deadline := time.Now().Add(10 * time.Second)
	for apiURL == "" || dashURL == "" {
		select {
		case err := <-done:
			t.Fatalf("run returned early: %v\n%s", err, logs)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no URLs printed; stdout:\n%s\nlog:\n%s", stdout.String(), logs)
		}
		time.Sleep(10 * time.Millisecond)
		sc := bufio.NewScanner(strings.NewReader(stdout.String()))
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "camera API: "); ok {
				apiURL = u
			}
			if u, ok := strings.CutPrefix(sc.Text(), "dashboard: "); ok {
				dashURL = u
			}
		}
	}
	return apiURL, dashURL, logs, stop
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	res, err := http.Get(url)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, string(body)
}

// preflight reports whether the API at apiURL allows a PUT with a JSON body
// from origin, over the network.
func preflight(t *testing.T, apiURL, origin string) bool {
	t.Helper()
	req, err := http.NewRequest(http.MethodOptions, apiURL+"/api/settings", nil)
	require.NoError(t, err)
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", "PUT")
	req.Header.Set("Access-Control-Request-Headers", "content-type")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	return res.StatusCode == http.StatusNoContent && res.Header.Get("Access-Control-Allow-Origin") == origin
}

func status(t *testing.T, apiURL string) statusResponse {
	t.Helper()
	_, body := get(t, apiURL+"/api/status")
	var s statusResponse
	require.NoError(t, json.Unmarshal([]byte(body), &s), body)
	return s
}

func TestRunServesBothOrigins(t *testing.T) {
	apiURL, dashURL, logs, stop := startRun(t, "-api", "127.0.0.1:0", "-dashboard", "127.0.0.1:0")
	assert.True(t, strings.HasPrefix(apiURL, "http://127.0.0.1:"), apiURL)
	assert.True(t, strings.HasSuffix(dashURL, "/"), dashURL)
	dashOrigin := strings.TrimSuffix(dashURL, "/")
	assert.NotEqual(t, apiURL, dashOrigin)

	// The dashboard page, and where it finds the API.
	res, page := get(t, dashURL)
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, page, `<img id="stream"`)
	assert.Contains(t, res.Header.Get("Content-Security-Policy"), "connect-src "+apiURL)
	_, js := get(t, dashURL+"config.js")
	assert.Contains(t, js, `"api":"`+apiURL+`"`)
	for _, name := range []string{"app.js", "style.css", "favicon.svg"} {
		res, _ := get(t, dashURL+name)
		assert.Equal(t, http.StatusOK, res.StatusCode, name)
	}

	// The default CORS policy allows the dashboard's origin, and only it.
	assert.True(t, preflight(t, apiURL, dashOrigin))
	assert.False(t, preflight(t, apiURL, "http://127.0.0.1:1"))

	// The stream, over a real connection.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, apiURL+"/api/stream", nil)
	require.NoError(t, err)
	streamRes, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer streamRes.Body.Close()
	_, params, err := mime.ParseMediaType(streamRes.Header.Get("Content-Type"))
	require.NoError(t, err)
	mr := multipart.NewReader(streamRes.Body, params["boundary"])
	for i := range 2 {
		p, err := mr.NextPart()
		require.NoError(t, err, "part %d", i)
		_, err = jpeg.Decode(p)
		require.NoError(t, err, "part %d", i)
	}
	assert.Equal(t, 1, status(t, apiURL).ClientsStreaming)
	cancel()
	streamRes.Body.Close()
	waitFor(t, 5*time.Second, func() bool { return status(t, apiURL).ClientsStreaming == 0 },
		"clients_streaming did not go back to 0 after the viewer left")

	// A graceful shutdown with a stream open: the stream ends, run returns nil.
	req, err = http.NewRequest(http.MethodGet, apiURL+"/api/stream", nil)
	require.NoError(t, err)
	streamRes, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer streamRes.Body.Close()
	ended := make(chan error, 1)
	go func() {
		_, err := io.Copy(io.Discard, streamRes.Body)
		ended <- err
	}()
	waitFor(t, 5*time.Second, func() bool { return status(t, apiURL).ClientsStreaming == 1 }, "stream not counted")
	require.NoError(t, stop())
	select {
	case <-ended:
	case <-time.After(5 * time.Second):
		t.Fatal("the stream did not end on shutdown")
	}
	assert.Contains(t, logs.String(), "camera: shutting down")
	_, err = http.Get(apiURL + "/api/status")
	assert.Error(t, err, "the API still answers after shutdown")
	_, err = http.Get(dashURL)
	assert.Error(t, err, "the dashboard still answers after shutdown")
}

func TestRunReloadsCORSOnSIGHUP(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cors.ini")
	writeFile(t, path, corsFile("http://127.0.0.1:7001"))
	apiURL, _, logs, stop := startRun(t, "-api", "127.0.0.1:0", "-dashboard", "127.0.0.1:0", "-cors-config", path)
	assert.True(t, preflight(t, apiURL, "http://127.0.0.1:7001"))
	assert.False(t, preflight(t, apiURL, "http://127.0.0.1:7002"))

	// run has registered for SIGHUP before printing its URLs.
	writeFile(t, path, corsFile("http://127.0.0.1:7002"))
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGHUP))
	waitFor(t, 5*time.Second, func() bool { return preflight(t, apiURL, "http://127.0.0.1:7002") }, "SIGHUP did not reload the policy")
	assert.False(t, preflight(t, apiURL, "http://127.0.0.1:7001"))
	waitFor(t, 5*time.Second, func() bool { return strings.Contains(logs.String(), "cors: policy reloaded") }, "the reload was not logged")

	// A broken file: logged, and the policy stays.
	writeFile(t, path, corsFile("*"))
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGHUP))
	waitFor(t, 5*time.Second, func() bool { return strings.Contains(logs.String(), "cors: reload failed") }, "the failed reload was not logged")
	assert.True(t, preflight(t, apiURL, "http://127.0.0.1:7002"))

	require.NoError(t, stop())
}

func TestRunRefusesBadFlags(t *testing.T) {
	var out, errs bytes.Buffer
	err := run(context.Background(), []string{"-nope"}, &out, &errs)
	var usage usageError
	assert.ErrorAs(t, err, &usage)
	assert.Contains(t, errs.String(), "-cors-config")

	err = run(context.Background(), []string{"-h"}, &out, &errs)
	assert.ErrorIs(t, err, flag.ErrHelp)

	err = run(context.Background(), []string{"-api", "127.0.0.1:0", "-dashboard", "127.0.0.1:0", "-cors-origin", "*"}, &out, &errs)
	assert.ErrorContains(t, err, "CORS policy")

	err = run(context.Background(), []string{"-api", "127.0.0.1:0", "-dashboard", "127.0.0.1:0", "-cors-config", "cors.ini", "-cors-origin", "http://a.test"}, &out, &errs)
	assert.ErrorContains(t, err, "cannot be combined")
	assert.Empty(t, out.String(), "nothing is served after a configuration error")
}

func TestDashboardConfig(t *testing.T) {
	logger := slog.New(slog.DiscardHandler)
	addr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}
	c := microdot.NewTestClient(newDashboardApp(apiOriginFor(addr), logger))
	res := c.Get("/config.js")
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "text/javascript; charset=utf-8", res.Header.Get("Content-Type"))
	assert.Contains(t, res.Text(), `window.CAMERA_CONFIG = {"api":"http://127.0.0.1:8080"};`)
	res = c.Get("/")
	assert.Contains(t, res.Header.Get("Content-Security-Policy"), "img-src 'self' blob: http://127.0.0.1:8080")
	assert.Contains(t, res.Text(), `<script src="/config.js"></script>`)
	assert.Equal(t, http.StatusNotFound, c.Get("/secret").StatusCode)

	// An API on every address is reached by the host name the page used.
	wild := &net.TCPAddr{IP: net.IPv4zero, Port: 8080}
	c = microdot.NewTestClient(newDashboardApp(apiOriginFor(wild), logger))
	c.BaseURL = "http://camera.local:8081"
	assert.Contains(t, c.Get("/config.js").Text(), `"api":"http://camera.local:8080"`)
	c.BaseURL = "http://[::1]:8081"
	assert.Contains(t, c.Get("/config.js").Text(), `"api":"http://[::1]:8080"`)
	req, err := http.NewRequest(http.MethodGet, "http://x/config.js", nil)
	require.NoError(t, err)
	req.Host = `evil"</script>`
	assert.Contains(t, c.Do(req).Text(), `"api":"http://127.0.0.1:8080"`)

	assert.Equal(t, "http://127.0.0.1:8080", baseURL(wild))
	assert.Equal(t, "http://[::1]:9", baseURL(&net.TCPAddr{IP: net.IPv6loopback, Port: 9}))
}
