package websocket_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/cors"
	"github.com/microdot-go/microdot/microdot/websocket"
)

func ExampleHandler() {
	app := microdot.New()
	app.Get("/echo", websocket.Handler(func(req *microdot.Request, ws *websocket.WebSocket) error {
		for {
			msg, _, err := ws.Receive()
			if err != nil {
				return nil // the client left
			}
			if err := ws.Send(string(msg)); err != nil {
				return err
			}
		}
	}))

	srv := httptest.NewServer(app)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, err := websocket.Dial(ctx, srv.URL+"/echo", nil)
	if err != nil {
		panic(err)
	}
	defer ws.Close()
	ws.Send("hello")
	msg, _, _ := ws.Receive()
	fmt.Println(string(msg))
	// Output: hello
}

func ExampleConfig_Handler() {
	app := microdot.New()
	// The dashboard at http://dashboard.local may fetch and open WebSockets.
	policy, err := cors.New(app, cors.Config{AllowedOrigins: []string{"http://dashboard.local"}})
	if err != nil {
		panic(err)
	}
	status := websocket.Config{CORS: policy, MaxMessageBytes: 4 << 10}
	app.Get("/status", status.Handler(func(req *microdot.Request, ws *websocket.WebSocket) error {
		return ws.Send(`{"viewers":1}`)
	}))

	// Any other page is refused before the upgrade.
	res := microdot.NewTestClient(app).Get("/status", "Origin", "http://evil.example",
		"Connection", "Upgrade", "Upgrade", "websocket",
		"Sec-WebSocket-Version", "13", "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	fmt.Println(res.StatusCode)
	// Output: 403
}
