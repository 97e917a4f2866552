package websocket_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/cors"
	"github.com/microdot-go/microdot/microdot/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// waitFor bounds every wait: nothing waited for should take a fraction of it.
const waitFor = 10 * time.Second

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// echo is Microdot's echo handler.
func echo(req *microdot.Request, ws *websocket.WebSocket) error {
	for {
		msg, binary, err := ws.Receive()
		if err != nil {
			return nil
		}
		if binary {
			err = ws.SendBinary(msg)
		} else {
			err = ws.Send(string(msg))
		}
		if err != nil {
			return err
		}
	}
}

// newApp returns an App serving f at /ws with cfg, logging into the buffer.
func newApp(cfg websocket.Config, f func(*microdot.Request, *websocket.WebSocket) error) (*microdot.App, *syncBuffer) {
	log := &syncBuffer{}
	app := microdot.New()
	app.Logger = slog.New(slog.NewTextHandler(log, nil))
	app.Get("/ws", cfg.Handler(f))
	return app, log
}

// dial serves app on loopback and opens /ws with optional header pairs.
func dial(t *testing.T, app *microdot.App, header ...string) *websocket.WebSocket {
	t.Helper()
	ws, err := dialErr(t, app, header...)
	require.NoError(t, err)
	return ws
}

func dialErr(t *testing.T, app *microdot.App, header ...string) (*websocket.WebSocket, error) {
	t.Helper()
	srv := httptest.NewServer(app)
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	t.Cleanup(cancel)
	h := http.Header{}
	for i := 0; i+1 < len(header); i += 2 {
		h.Set(header[i], header[i+1])
	}
	ws, err := websocket.Dial(ctx, srv.URL+"/ws", h)
	if err == nil {
		t.Cleanup(func() { ws.Close() })
	}
	return ws, err
}

// Microdot's test_websocket_echo: text comes back as text, bytes as bytes,
// large messages whole when the limit allows them.
func TestEcho(t *testing.T) {
	app, _ := newApp(websocket.Config{MaxMessageBytes: 65537}, echo)
	ws := dial(t, app)
	tests := []struct {
		msg    []byte
		binary bool
	}{
		{[]byte("hello"), false},
		{[]byte("bye"), true},
		{bytes.Repeat([]byte("*"), 300), true},
		{bytes.Repeat([]byte("+"), 65537), true},
		{[]byte("héllo ✓"), false},
	}
	for _, tt := range tests {
		if tt.binary {
			require.NoError(t, ws.SendBinary(tt.msg))
		} else {
			require.NoError(t, ws.Send(string(tt.msg)))
		}
		got, binary, err := ws.Receive()
		require.NoError(t, err)
		assert.Equal(t, tt.binary, binary)
		assert.Equal(t, tt.msg, got)
	}
	require.NoError(t, ws.Close())
	require.NoError(t, ws.Close(), "closing twice is no error")
}

// Microdot's test_websocket_large_message, with its 16 KiB default: the
// message is not delivered and the connection closes with 1009.
func TestMessageOverTheLimitClosesWith1009(t *testing.T) {
	received := make(chan error, 1)
	app, _ := newApp(websocket.Config{}, func(req *microdot.Request, ws *websocket.WebSocket) error {
		_, _, err := ws.Receive()
		received <- err
		return nil
	})
	ws := dial(t, app)
	require.NoError(t, ws.SendBinary(make([]byte, websocket.DefaultMaxMessageBytes+1)))
	_, _, err := ws.Receive()
	assert.Equal(t, 1009, websocket.CloseStatus(err), "got %v", err)
	err = recv(t, received, "the handler's Receive did not fail")
	assert.Error(t, err)
}

func TestMessageAtTheLimitIsDelivered(t *testing.T) {
	app, _ := newApp(websocket.Config{}, echo)
	ws := dial(t, app)
	msg := bytes.Repeat([]byte("x"), websocket.DefaultMaxMessageBytes)
	require.NoError(t, ws.SendBinary(msg))
	got, _, err := ws.Receive()
	require.NoError(t, err)
	assert.Equal(t, msg, got)
}

func TestInvalidHandshakesGet400WithAReason(t *testing.T) {
	valid := []string{"Connection", "Upgrade", "Upgrade", "websocket",
		"Sec-WebSocket-Version", "13", "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}
	with := func(name, value string) []string {
		h := append([]string(nil), valid...)
		for i := 0; i < len(h); i += 2 {
			if h[i] == name {
				h[i+1] = value
			}
		}
		return h
	}
	tests := []struct {
		name   string
		header []string
		reason string
	}{
		{"plain GET", nil, "Connection header must contain Upgrade"},
		{"no upgrade token", with("Connection", "keep-alive"), "Connection header"},
		{"another protocol", with("Upgrade", "h2c"), "Upgrade header must contain websocket"},
		{"old version", with("Sec-WebSocket-Version", "8"), "Sec-WebSocket-Version must be 13"},
		{"short key", with("Sec-WebSocket-Key", "c2hvcnQ="), "16 bytes"},
		{"key not base64", with("Sec-WebSocket-Key", "!!!"), "16 bytes"},
	}
	app, _ := newApp(websocket.Config{}, echo)
	c := microdot.NewTestClient(app)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := c.Get("/ws", tt.header...)
			assert.Equal(t, http.StatusBadRequest, res.StatusCode)
			assert.Contains(t, res.Text(), tt.reason)
		})
	}
}

func TestOriginCheck(t *testing.T) {
	tests := []struct {
		name    string
		trust   []string // origins of a CORS policy given to the Config
		origin  string
		allowed bool
	}{
		{"no Origin (not a browser)", nil, "", true},
		{"same origin", nil, "http://SAME", true},
		{"foreign origin", nil, "http://evil.example", false},
		{"opaque origin", nil, "null", false},
		{"origin the CORS policy allows", []string{"http://dashboard.example"}, "http://dashboard.example", true},
		{"origin the CORS policy does not allow", []string{"http://dashboard.example"}, "http://evil.example", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cfg websocket.Config
			if tt.trust != nil {
				c, err := cors.New(nil, cors.Config{AllowedOrigins: tt.trust})
				require.NoError(t, err)
				cfg.CORS = c
			}
			app, _ := newApp(cfg, echo)
			srv := httptest.NewServer(app)
			defer srv.Close()
			ctx, cancel := context.WithTimeout(context.Background(), waitFor)
			defer cancel()
			h := http.Header{}
			if tt.origin != "" {
				h.Set("Origin", strings.Replace(tt.origin, "SAME", strings.TrimPrefix(srv.URL, "http://"), 1))
			}
			ws, err := websocket.Dial(ctx, srv.URL+"/ws", h)
			if !tt.allowed {
				var he *websocket.HandshakeError
				require.ErrorAs(t, err, &he)
				assert.Equal(t, http.StatusForbidden, he.StatusCode)
				return
			}
			require.NoError(t, err)
			require.NoError(t, ws.Send("hi"))
			msg, _, err := ws.Receive()
			require.NoError(t, err)
			assert.Equal(t, "hi", string(msg))
			ws.Close()
		})
	}
}

func TestForbiddenOriginReasonNamesTheOrigin(t *testing.T) {
	app, _ := newApp(websocket.Config{}, echo)
	res := microdot.NewTestClient(app).Get("/ws", "Origin", "http://evil.example", "Connection", "Upgrade",
		"Upgrade", "websocket", "Sec-WebSocket-Version", "13", "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	assert.Equal(t, http.StatusForbidden, res.StatusCode)
	assert.Contains(t, res.Text(), `origin "http://evil.example" is not allowed`)
}

func TestHandlerEndings(t *testing.T) {
	tests := []struct {
		name   string
		f      func(*microdot.Request, *websocket.WebSocket) error
		status int
		logged string
	}{
		{"returns nil", func(*microdot.Request, *websocket.WebSocket) error { return nil }, 1000, ""},
		{"closes", func(_ *microdot.Request, ws *websocket.WebSocket) error { return ws.Close() }, 1000, ""},
		{"fails", func(*microdot.Request, *websocket.WebSocket) error { return errors.New("sensor gone") }, 1011, "sensor gone"},
		{"panics", func(*microdot.Request, *websocket.WebSocket) error { panic("kaboom") }, 1011, "kaboom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, log := newApp(websocket.Config{}, tt.f)
			ws := dial(t, app)
			_, _, err := ws.Receive()
			assert.Equal(t, tt.status, websocket.CloseStatus(err), "got %v", err)
			require.Eventually(t, func() bool { return strings.Contains(log.String(), tt.logged) }, waitFor, 10*time.Millisecond)
		})
	}
}

// On Shutdown the client is told 1001 whether the handler waits in Receive
// or returns as soon as its context is done, and Shutdown returns after the
// handler.
func TestShutdownClosesWith1001(t *testing.T) {
	tests := []struct {
		name string
		wait func(*microdot.Request, *websocket.WebSocket) error
	}{
		{"handler in Receive", func(_ *microdot.Request, ws *websocket.WebSocket) error {
			_, _, err := ws.Receive()
			return err
		}},
		{"handler returning at once", func(req *microdot.Request, _ *websocket.WebSocket) error {
			<-req.Context().Done()
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			started, returned := make(chan struct{}), make(chan struct{})
			app, _ := newApp(websocket.Config{}, func(req *microdot.Request, ws *websocket.WebSocket) error {
				defer close(returned)
				close(started)
				tt.wait(req, ws)
				return nil
			})
			ws := dial(t, app)
			<-started
			got := make(chan error, 1)
			go func() { _, _, err := ws.Receive(); got <- err }()
			ctx, cancel := context.WithTimeout(context.Background(), waitFor)
			defer cancel()
			require.NoError(t, app.Shutdown(ctx))
			select {
			case <-returned:
			default:
				t.Fatal("Shutdown returned before the handler")
			}
			err := recv(t, got, "the client was not told")
			assert.Equal(t, 1001, websocket.CloseStatus(err), "got %v", err)
		})
	}
}

func TestPingsKeepAnAnsweringClient(t *testing.T) {
	app, _ := newApp(websocket.Config{PingInterval: 10 * time.Millisecond, PongTimeout: waitFor},
		func(req *microdot.Request, ws *websocket.WebSocket) error {
			time.Sleep(100 * time.Millisecond) // several pings, answered by the client's Receive
			return ws.Send("still here")
		})
	ws := dial(t, app)
	msg, _, err := ws.Receive()
	require.NoError(t, err)
	assert.Equal(t, "still here", string(msg))
}

func TestPingsDropAClientThatDoesNotAnswer(t *testing.T) {
	returned := make(chan error, 1)
	app, _ := newApp(websocket.Config{PingInterval: 10 * time.Millisecond, PongTimeout: 50 * time.Millisecond},
		func(req *microdot.Request, ws *websocket.WebSocket) error {
			_, _, err := ws.Receive()
			returned <- err
			return nil
		})
	dial(t, app) // never reads, so never answers a ping
	err := recv(t, returned, "the silent client was not dropped")
	assert.Error(t, err)
}

func TestSendRefusesInvalidText(t *testing.T) {
	app, _ := newApp(websocket.Config{}, echo)
	ws := dial(t, app)
	err := ws.Send("\xff")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "SendBinary")
}

func TestNilFunctionPanicsAtRegistration(t *testing.T) {
	assert.PanicsWithValue(t, "websocket: Handler needs a non-nil function", func() { websocket.Handler(nil) })
}

// recv waits for a value on ch, failing the test with what after waitFor.
func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitFor):
		t.Fatal(what)
	}
	var zero T
	return zero
}

func TestValidHandshakeWithoutAConnectionGets501(t *testing.T) {
	app, _ := newApp(websocket.Config{}, echo)
	res := microdot.NewTestClient(app).Get("/ws", "Connection", "Upgrade", "Upgrade", "websocket",
		"Sec-WebSocket-Version", "13", "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	assert.Equal(t, http.StatusNotImplemented, res.StatusCode)
	assert.Contains(t, res.Text(), "connect over HTTP/1.1")
}
