package template_test

import (
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	"testing/fstest"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/template"
)

//go:embed testdata/site
var site embed.FS

// Templates embedded in the program, as a device carries them.
func ExampleParseFS() {
	pages, err := template.ParseFS(site, "testdata/site", htmltemplate.FuncMap{"upper": strings.ToUpper})
	if err != nil {
		panic(err) // at start-up: the templates are broken
	}
	app := microdot.New()
	app.Get("/", func(req *microdot.Request) (*microdot.Response, error) {
		return pages.Render("page1.html", map[string]string{"Page": "Page 1"})
	})
	res := microdot.NewTestClient(app).Get("/")
	fmt.Println(res.Header.Get("Content-Type"))
	fmt.Println(strings.Contains(res.Text(), "<h2>This is Page 1</h2>"))
	// Output:
	// text/html; charset=utf-8
	// true
}

// Generate streams the page while it renders (Microdot's generate).
func ExampleTemplates_Generate() {
	pages, err := template.ParseFS(fstest.MapFS{
		"list.html": {Data: []byte(`<ul>{{range .}}<li>{{.}}</li>{{end}}</ul>`)},
	}, ".", nil)
	if err != nil {
		panic(err)
	}
	app := microdot.New()
	app.Get("/", func(req *microdot.Request) (*microdot.Response, error) {
		return pages.Generate("list.html", []string{"a", "<b>"})
	})
	fmt.Println(microdot.NewTestClient(app).Get("/").Text())
	// Output: <ul><li>a</li><li>&lt;b&gt;</li></ul>
}
