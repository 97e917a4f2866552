package websocket_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/websocket"
)

// FuzzHandshake sends handshakes with arbitrary header values: each is
// refused with 400 or 403 and a reason that names the handshake, or, when
// valid, reaches the upgrade (which the in-memory TestClient cannot do: 501).
// Nothing panics and the handler never runs on a refused handshake.
func FuzzHandshake(f *testing.F) {
	f.Add("Upgrade", "websocket", "13", "dGhlIHNhbXBsZSBub25jZQ==", "")
	f.Add("keep-alive, Upgrade", "WebSocket", "13", " dGhlIHNhbXBsZSBub25jZQ== ", "http://example.com")
	f.Add("Upgrade", "websocket", "8", "short", "http://evil.example")
	f.Add("", "", "", "", "null")
	f.Fuzz(func(t *testing.T, connection, upgrade, version, key, origin string) {
		ran := false
		app := microdot.New()
		app.Get("/ws", websocket.Handler(func(*microdot.Request, *websocket.WebSocket) error {
			ran = true
			return nil
		}))
		res := microdot.NewTestClient(app).Get("/ws", "Connection", connection, "Upgrade", upgrade,
			"Sec-WebSocket-Version", version, "Sec-WebSocket-Key", key, "Origin", origin)
		switch res.StatusCode {
		case http.StatusBadRequest, http.StatusForbidden,
			http.StatusNotImplemented: // valid, but there is no connection to take over
			if !strings.HasPrefix(res.Text(), "WebSocket handshake: ") {
				t.Fatalf("%d without a reason: %q", res.StatusCode, res.Text())
			}
		default:
			t.Fatalf("status %d: %q", res.StatusCode, res.Text())
		}
		if ran {
			t.Fatal("the handler ran without a connection")
		}
	})
}
