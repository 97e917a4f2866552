package main

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/microdot-go/microdot/microdot"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestPage(t *testing.T) {
	var log strings.Builder
	c := microdot.NewTestClient(newApp(slog.New(slog.NewTextHandler(&log, nil))))
	res := c.Get("/")
	require.Equal(t, 200, res.StatusCode)
	assert.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"))
	assert.Contains(t, res.Text(), "<p>Hello from Microdot!</p>")
	assert.Contains(t, log.String(), "GET / 200")
}

// TestShutdown follows the page's link on a real server: the answer
// arrives, then the server stops.
func TestShutdown(t *testing.T) {
	defer goleak.VerifyNone(t)
	app := newApp(slog.New(slog.DiscardHandler))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- app.Serve(ln) }()

	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	res, err := client.Get("http://" + ln.Addr().String() + "/shutdown")
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, "The server is shutting down...", string(body))
	select {
	case err := <-served:
		assert.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not stop")
	}
}
