// Command hello is Microdot's hello example (examples/hello/hello.py) in
// Go: a page, and a link that shuts the server down.
//
//	go run ./examples/hello
//
// then open http://localhost:5000/.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"log/slog"

	"github.com/microdot-go/microdot/microdot"
)

const page = `<!DOCTYPE html>
<html>
    <head>
        <title>Microdot Example Page</title>
        <meta charset="UTF-8">
    </head>
    <body>
        <div>
            <h1>Microdot Example Page</h1>
            <p>Hello from Microdot!</p>
            <p><a href="/shutdown">Click to shutdown the server</a></p>
        </div>
    </body>
</html>
`

// newApp returns the example's App, which logs to logger.
func newApp(logger *slog.Logger) *microdot.App {
	app := microdot.New()
	app.Logger = logger
	app.Get("/", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.HTML(page), nil
	})
	app.Get("/shutdown", func(req *microdot.Request) (*microdot.Response, error) {
		// Shutdown waits for the requests in flight, this one included.
		go req.App().Shutdown(context.Background())
		return microdot.Text("The server is shutting down..."), nil
	})
	// Microdot's debug=True: one line per request.
	app.AfterRequest(func(req *microdot.Request, res *microdot.Response) *microdot.Response {
		logger.Info(fmt.Sprintf("%s %s %d", req.Method, req.URL.Path, res.StatusCode))
		return nil
	})
	return app
}

func main() {
	addr := flag.String("addr", ":5000", "`address` to listen on")
	flag.Parse()
	app := newApp(slog.Default())
	slog.Info("Starting server on " + *addr)
	if err := app.Run(*addr); err != nil {
		log.Fatal(err)
	}
}
