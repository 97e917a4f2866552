package template_test

import (
	"context"
	htmltemplate "html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/template"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var funcs = htmltemplate.FuncMap{"upper": strings.ToUpper}

func TestParseDirAndRender(t *testing.T) {
	pages, err := template.ParseDir("testdata/site", funcs)
	require.NoError(t, err)
	assert.Equal(t, []string{"admin/users.html", "base.html", "page1.html", "page2.html"}, pages.Names())

	app := microdot.New()
	app.Get("/<name>", func(req *microdot.Request) (*microdot.Response, error) {
		return pages.Render(req.PathValue("name"), map[string]string{"Page": "<Page 1>"})
	})
	app.Get("/admin/users", func(req *microdot.Request) (*microdot.Response, error) {
		return pages.Render("admin/users.html", []string{"ada", "<script>"})
	})
	c := microdot.NewTestClient(app)

	res := c.Get("/page1.html")
	require.Equal(t, 200, res.StatusCode, res.Text())
	assert.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"))
	assert.Contains(t, res.Text(), "<title>&lt;Page 1&gt;</title>")
	assert.Contains(t, res.Text(), "<h2>This is &lt;Page 1&gt;</h2>")
	assert.NotContains(t, res.Text(), "no content")

	res = c.Get("/base.html")
	assert.Contains(t, res.Text(), "no content", "a layout renders too, with its defaults")

	res = c.Get("/page2.html")
	assert.Contains(t, res.Text(), "<h2>Second: &lt;Page 1&gt;</h2>&lt;PAGE 1&gt;", "each page has its own blocks")

	res = c.Get("/admin/users")
	assert.Equal(t, "<ul><li>ada</li><li>&lt;script&gt;</li></ul>\n", res.Text(), "autoescaping is on")
}

func TestParseFS(t *testing.T) {
	fsys := fstest.MapFS{
		"web/templates/index.html": {Data: []byte(`Hello, {{.}}!`)},
		"web/other.txt":            {Data: []byte(`not a template of the set`)},
	}
	pages, err := template.ParseFS(fsys, "web/templates", nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"index.html"}, pages.Names())
	var b strings.Builder
	require.NoError(t, pages.Execute(&b, "index.html", "<b>"))
	assert.Equal(t, "Hello, &lt;b&gt;!", b.String())
}

func TestErrorsNameTemplateAndLine(t *testing.T) {
	tests := []struct {
		name  string
		files fstest.MapFS
		want  []string
	}{
		{"parse error", fstest.MapFS{"ok.html": {Data: []byte("fine")}, "broken.html": {Data: []byte("line 1\nline 2 {{end}}\nline 3")}},
			[]string{"broken.html:2", "in site"}},
		{"unknown function", fstest.MapFS{"f.html": {Data: []byte("a\nb\n{{nosuch .}}")}},
			[]string{"f.html:3", `"nosuch" not defined`}},
		{"broken layout", fstest.MapFS{"base.html": {Data: []byte("{{end}}")}, "p.html": {Data: []byte("p")}},
			[]string{"base.html:1"}},
		{"no templates", fstest.MapFS{"site": {Mode: fs.ModeDir}},
			[]string{"no templates in site"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := template.ParseFS(fstest.MapFS(prefixed(tt.files)), "site", nil)
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
	_, err := template.ParseDir("testdata/no-such-dir", nil)
	assert.ErrorContains(t, err, "testdata/no-such-dir")
}

func prefixed(files fstest.MapFS) fstest.MapFS {
	out := fstest.MapFS{}
	for name, f := range files {
		if name == "site" {
			out[name] = f
			continue
		}
		out["site/"+name] = f
	}
	return out
}

func TestExecutionErrors(t *testing.T) {
	fsys := fstest.MapFS{"p.html": {Data: []byte("one\ntwo {{.Missing.Field}}\n")}}
	pages, err := template.ParseFS(fsys, ".", nil)
	require.NoError(t, err)

	_, err = pages.Render("p.html", map[string]any{"Missing": 3})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "p.html:2")

	_, err = pages.Render("nope.html", nil)
	assert.ErrorContains(t, err, `no template "nope.html" in . (there are: p.html)`)
	_, err = pages.Generate("nope.html", nil)
	assert.ErrorContains(t, err, `no template "nope.html"`)

	// Through an App: a 500, with the template and line in the log.
	var log strings.Builder
	app := microdot.New()
	app.Logger = slog.New(slog.NewTextHandler(&log, nil))
	app.Get("/", func(req *microdot.Request) (*microdot.Response, error) {
		return pages.Render("p.html", map[string]any{"Missing": 3})
	})
	res := microdot.NewTestClient(app).Get("/")
	assert.Equal(t, 500, res.StatusCode)
	assert.NotContains(t, res.Text(), "p.html", "no template detail for the client")
	assert.Contains(t, log.String(), "p.html:2")
	assert.Nil(t, pages.Lookup("nope.html"))
	assert.NotNil(t, pages.Lookup("p.html"))
}

// TestGenerateStreams checks that Generate sends the start of a page before
// the rest is rendered: the template blocks in a function until the client
// has read the first chunk.
func TestGenerateStreams(t *testing.T) {
	release := make(chan struct{})
	funcs := htmltemplate.FuncMap{"wait": func() string {
		select {
		case <-release:
		case <-time.After(10 * time.Second):
		}
		return "end"
	}}
	fsys := fstest.MapFS{"s.html": {Data: []byte(`{{range .}}<p>{{.}}</p>{{end}}{{wait}}`)}}
	pages, err := template.ParseFS(fsys, ".", funcs)
	require.NoError(t, err)
	app := microdot.New()
	app.Get("/", func(req *microdot.Request) (*microdot.Response, error) {
		return pages.Generate("s.html", make([]int, 2000)) // about 16 KiB before the wait
	})
	srv := newServer(t, app)
	req, err := http.NewRequestWithContext(context.Background(), "GET", srv+"/", nil)
	require.NoError(t, err)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	assert.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"))
	first := make([]byte, 4<<10)
	_, err = io.ReadFull(res.Body, first)
	require.NoError(t, err, "the first chunk arrives while the template is still rendering")
	assert.Equal(t, "<p>0</p><p>0</p>", string(first[:16]))
	close(release)
	rest, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	assert.True(t, strings.HasSuffix(string(rest), "<p>0</p>end"))
	assert.Equal(t, 2000*len("<p>0</p>")+len("end"), len(first)+len(rest))
}

// Microdot's tests/test_jinja.py, ported: the same template through
// render, render in an App and generate in an App.
func TestMicrodotJinjaCases(t *testing.T) {
	pages, err := template.ParseFS(fstest.MapFS{"hello.txt": {Data: []byte("Hello, {{.name}}!")}}, ".", nil)
	require.NoError(t, err)
	data := map[string]string{"name": "foo"}

	var b strings.Builder
	require.NoError(t, pages.Execute(&b, "hello.txt", data))
	assert.Equal(t, "Hello, foo!", b.String())

	app := microdot.New()
	app.Get("/render", func(req *microdot.Request) (*microdot.Response, error) {
		return pages.Render("hello.txt", data)
	})
	app.Get("/generate", func(req *microdot.Request) (*microdot.Response, error) {
		return pages.Generate("hello.txt", data)
	})
	c := microdot.NewTestClient(app)
	for _, path := range []string{"/render", "/generate"} {
		res := c.Get(path)
		assert.Equal(t, 200, res.StatusCode, path)
		assert.Equal(t, "Hello, foo!", res.Text(), path)
	}
}
