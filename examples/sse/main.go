// Command sse is Microdot's examples/sse/counter.py in Go: a page whose
// EventSource receives a counter from the server every second.
//
//	go run ./examples/sse
//
// then open http://127.0.0.1:5000/. See docs/sse-and-websocket.md.
package main

import (
	_ "embed"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/sse"
)

//go:embed index.html
var index string

// newApp returns the example's App, which counts every interval.
func newApp(interval time.Duration) *microdot.App {
	app := microdot.New()
	app.Get("/", func(*microdot.Request) (*microdot.Response, error) {
		return microdot.HTML(index), nil
	})
	app.Get("/events", sse.Handler(func(req *microdot.Request, s *sse.SSE) error {
		slog.Info("client connected")
		defer slog.Info("client disconnected")
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for i := 1; ; i++ {
			select {
			case <-req.Context().Done(): // the client left, or Ctrl-C
				return nil
			case <-tick.C:
			}
			if err := s.Send(map[string]int{"counter": i}); err != nil {
				return nil // the client left while we were sending
			}
		}
	}))
	return app
}

func main() {
	addr := flag.String("addr", "127.0.0.1:5000", "`address` to serve on")
	flag.Parse()
	fmt.Printf("open http://%s/\n", *addr)
	if err := newApp(time.Second).Run(*addr); err != nil {
		fmt.Fprintln(os.Stderr, "sse:", err)
		os.Exit(1)
	}
}
