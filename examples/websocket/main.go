// Command websocket is Microdot's examples/websocket/echo.py in Go: a page
// that sends what you type over a WebSocket and shows what comes back.
//
//	go run ./examples/websocket
//
// then open http://127.0.0.1:5000/. See docs/sse-and-websocket.md.
package main

import (
	_ "embed"
	"flag"
	"fmt"
	"os"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/websocket"
)

//go:embed index.html
var index string

// newApp returns the example's App.
func newApp() *microdot.App {
	app := microdot.New()
	app.Get("/", func(*microdot.Request) (*microdot.Response, error) {
		return microdot.HTML(index), nil
	})
	app.Get("/echo", websocket.Handler(func(req *microdot.Request, ws *websocket.WebSocket) error {
		for {
			data, _, err := ws.Receive()
			if err != nil {
				return nil // the page was closed
			}
			if err := ws.Send(string(data)); err != nil {
				return err
			}
		}
	}))
	return app
}

func main() {
	addr := flag.String("addr", "127.0.0.1:5000", "`address` to serve on")
	flag.Parse()
	fmt.Printf("open http://%s/\n", *addr)
	if err := newApp().Run(*addr); err != nil {
		fmt.Fprintln(os.Stderr, "websocket:", err)
		os.Exit(1)
	}
}
