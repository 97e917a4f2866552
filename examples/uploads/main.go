// Command uploads is Microdot's uploads examples (examples/uploads) in Go:
// a multipart form with fields and a file (formdata.py), and a file sent as
// the raw body of a fetch request (simple_uploads.py), saved under a safe
// name.
//
//	go run ./examples/uploads
//
// then open http://localhost:5000/ and http://localhost:5000/simple.
package main

import (
	_ "embed"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"os"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/formdata"
)

var (
	//go:embed formdata.html
	formPage string
	//go:embed simple_uploads.html
	simplePage string
)

// maxUpload is the body limit: 1 MiB, as in Microdot's example (change as
// needed).
const maxUpload = 1 << 20

// newApp returns the example's App, which saves the files of the simple
// upload in dir and logs what it receives to logger.
func newApp(dir string, logger *slog.Logger) *microdot.App {
	app := microdot.New()
	app.Logger = logger
	app.MaxBodyBytes = maxUpload
	app.Get("/", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.HTML(formPage), nil
	})
	app.Post("/", formdata.Handler(formdata.Limits{}, func(req *microdot.Request, form *formdata.Form) (*microdot.Response, error) {
		for field, values := range form.Values {
			logger.Info("form field", "field", field, "value", values[0])
		}
		for field, files := range form.Files {
			data, err := io.ReadAll(files[0])
			if err != nil {
				return nil, err
			}
			logger.Info("file upload", "field", field, "filename", files[0].Filename, "content", string(data))
		}
		return microdot.Text("We have received your data!"), nil
	}))
	app.Get("/simple", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.HTML(simplePage), nil
	})
	app.Post("/upload", func(req *microdot.Request) (*microdot.Response, error) {
		return saveBody(req, dir, logger)
	})
	return app
}

// saveBody saves the request body in dir under the file name of its
// Content-Disposition header, made safe, streaming it to disk.
func saveBody(req *microdot.Request, dir string, logger *slog.Logger) (*microdot.Response, error) {
	_, params, err := mime.ParseMediaType(req.Header.Get("Content-Disposition"))
	if err != nil || params["filename"] == "" {
		return nil, microdot.Abort(http.StatusBadRequest, `expected a Content-Disposition: attachment; filename="..." header`)
	}
	name := params["filename"]
	if unescaped, err := url.PathUnescape(name); err == nil {
		name = unescaped // the page sends the name percent-encoded
	}
	name = formdata.SafeName(name)
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	f, err := root.Create(name)
	if err != nil {
		return nil, err
	}
	n, err := io.Copy(f, req.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		root.Remove(name) // no partial file
		return nil, err   // a body past the limit is a 413
	}
	logger.Info("Successfully saved file", "name", name, "bytes", n)
	return microdot.Text(fmt.Sprintf("saved %s (%d bytes)", name, n)), nil
}

func main() {
	addr := flag.String("addr", ":5000", "`address` to listen on")
	dir := flag.String("dir", "files", "`directory` where the simple upload saves files")
	flag.Parse()
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		log.Fatal(err)
	}
	app := newApp(*dir, slog.Default())
	slog.Info("Starting server on " + *addr)
	if err := app.Run(*addr); err != nil {
		log.Fatal(err)
	}
}
