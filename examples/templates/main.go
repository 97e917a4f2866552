// Command templates is Microdot's template examples
// (examples/templates/jinja: hello.py, streaming.py and bootstrap.py) in Go,
// over html/template, with the templates embedded in the program.
//
//	go run ./examples/templates
//
// then open http://localhost:5000/ (a form), /streaming (the same page,
// streamed) and /bootstrap (two pages sharing a layout).
package main

import (
	"embed"
	"flag"
	"log"
	"log/slog"
	"net/http"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/template"
)

//go:embed templates
var files embed.FS

// newApp returns the example's App, or an error naming the template and
// line that does not parse.
func newApp() (*microdot.App, error) {
	pages, err := template.ParseFS(files, "templates", nil)
	if err != nil {
		return nil, err
	}
	app := microdot.New()
	// hello.py: Template('index.html').render(name=name)
	app.Route("/", func(req *microdot.Request) (*microdot.Response, error) {
		name, err := formName(req)
		if err != nil {
			return nil, err
		}
		return pages.Render("index.html", map[string]string{"Name": name})
	}, "GET", "POST")
	// streaming.py: Template('index.html').generate(name=name)
	app.Route("/streaming", func(req *microdot.Request) (*microdot.Response, error) {
		name, err := formName(req)
		if err != nil {
			return nil, err
		}
		return pages.Generate("index.html", map[string]string{"Name": name})
	}, "GET", "POST")
	// bootstrap.py: two pages that extend base.html.
	app.Get("/bootstrap", func(req *microdot.Request) (*microdot.Response, error) {
		return pages.Render("page1.html", map[string]string{"Page": "Page 1"})
	})
	app.Get("/bootstrap/page2", func(req *microdot.Request) (*microdot.Response, error) {
		return pages.Render("page2.html", map[string]string{"Page": "Page 2"})
	})
	return app, nil
}

// formName returns the name field of a POST, or "" for a GET.
func formName(req *microdot.Request) (string, error) {
	if req.Method != http.MethodPost {
		return "", nil
	}
	form, err := req.FormValues()
	if err != nil {
		return "", err
	}
	return form.Get("name"), nil
}

func main() {
	addr := flag.String("addr", ":5000", "`address` to listen on")
	flag.Parse()
	app, err := newApp()
	if err != nil {
		log.Fatal(err)
	}
	app.Logger = slog.Default()
	slog.Info("Starting server on " + *addr)
	if err := app.Run(*addr); err != nil {
		log.Fatal(err)
	}
}
