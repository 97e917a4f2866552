// Package template renders HTML templates for an App: Microdot's Template
// (its jinja and utemplate extensions) over [html/template], so that
// autoescaping stays on.
//
// Templates are parsed once, when the program starts, from a directory
// ([ParseDir]) or any [fs.FS] ([ParseFS]); an embedded one suits a device,
// whose binary then carries its pages:
//
//	//go:embed templates
//	var files embed.FS
//
//	pages, err := template.ParseFS(files, "templates", nil)
//	...
//	app.Get("/", func(req *microdot.Request) (*microdot.Response, error) {
//		return pages.Render("index.html", map[string]any{"Name": "Ada"})
//	})
//
// Every file is a template, named by its path under the root
// ("index.html", "admin/users.html"), and every template can use the others.
// Jinja's inheritance becomes html/template's blocks: a layout base.html
// holds {{block "content" .}}{{end}}, and a page calls
// {{template "base.html" .}} and defines {{define "content"}}...{{end}}.
// Rendering a page uses that page's definitions, so several pages can define
// "content" each their own way.
//
// [Templates.Render] answers a whole page; [Templates.Generate] streams it
// as it is rendered (Microdot's generate). Errors name the template file
// and the line.
package template

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	htmltemplate "html/template"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/microdot-go/microdot/microdot"
)

// Templates is a set of parsed pages. It is safe for concurrent use.
type Templates struct {
	from  string // the directory or root they came from, for errors
	pages map[string]*htmltemplate.Template
}

// ParseDir parses the templates under dir (see the package documentation),
// with the functions in funcs (nil for none) available to all of them.
func ParseDir(dir string, funcs htmltemplate.FuncMap) (*Templates, error) {
	return parse(os.DirFS(dir), dir, funcs)
}

// ParseFS parses the templates under root in fsys ("." for all of fsys),
// as ParseDir does.
func ParseFS(fsys fs.FS, root string, funcs htmltemplate.FuncMap) (*Templates, error) {
	sub, err := fs.Sub(fsys, root)
	if err != nil {
		return nil, fmt.Errorf("microdot/template: %w", err)
	}
	return parse(sub, root, funcs)
}

func parse(fsys fs.FS, from string, funcs htmltemplate.FuncMap) (*Templates, error) {
	var names []string
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, name)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("microdot/template: reading %s: %w", from, err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("microdot/template: no templates in %s", from)
	}
	texts := make(map[string]string, len(names))
	all := htmltemplate.New("").Funcs(funcs)
	for _, name := range names {
		text, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("microdot/template: %w", err)
		}
		texts[name] = string(text)
		if err := parseInto(all, from, name, texts[name]); err != nil {
			return nil, err
		}
	}
	t := &Templates{from: from, pages: make(map[string]*htmltemplate.Template, len(names))}
	for _, name := range names {
		// Each page is parsed again last into a copy of the whole set, so
		// that its own {{define}}s win over those of the other files.
		page, err := all.Clone()
		if err == nil {
			err = parseInto(page, from, name, texts[name])
		}
		if err != nil {
			return nil, err
		}
		t.pages[name] = page
	}
	return t, nil
}

// parseInto parses text into set, as the template name.
func parseInto(set *htmltemplate.Template, from, name, text string) error {
	// Parse errors read "template: page.html:3: ...": the file and line.
	if _, err := set.New(name).Parse(text); err != nil {
		return fmt.Errorf("microdot/template: in %s: %w", from, err)
	}
	return nil
}

// Names returns the names of the pages, sorted.
func (t *Templates) Names() []string {
	names := make([]string, 0, len(t.pages))
	for name := range t.pages {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Lookup returns the parsed page name, or nil when there is none.
func (t *Templates) Lookup(name string) *htmltemplate.Template { return t.pages[name] }

func (t *Templates) page(name string) (*htmltemplate.Template, error) {
	if p := t.pages[name]; p != nil {
		return p, nil
	}
	return nil, fmt.Errorf("microdot/template: no template %q in %s (there are: %s)", name, t.from, strings.Join(t.Names(), ", "))
}

// Execute renders the page name with data into w (Microdot's render, as a
// string, is Execute into a strings.Builder). An error names the template
// and the line; part of the page may have been written.
func (t *Templates) Execute(w io.Writer, name string, data any) error {
	p, err := t.page(name)
	if err != nil {
		return err
	}
	if err := p.ExecuteTemplate(w, name, data); err != nil {
		return fmt.Errorf("microdot/template: %w", err)
	}
	return nil
}

// Render renders the page name with data and returns it as a 200
// text/html response. On error nothing is sent: a handler that returns the
// error answers 500, and the error, naming the template and the line, is
// logged.
func (t *Templates) Render(name string, data any) (*microdot.Response, error) {
	var b bytes.Buffer
	if err := t.Execute(&b, name, data); err != nil {
		return nil, err
	}
	return microdot.HTML(b.String()), nil
}

// Generate returns a 200 text/html response that renders the page name
// with data while it is sent, in chunks of about 4 KiB (Microdot's
// generate): the client sees the page start before it is complete. The
// error is for an unknown name; an error while rendering, after the status
// was sent, is logged and cuts the page short.
func (t *Templates) Generate(name string, data any) (*microdot.Response, error) {
	p, err := t.page(name)
	if err != nil {
		return nil, err
	}
	return microdot.Stream("text/html; charset=utf-8", func(_ context.Context, w io.Writer) error {
		bw := bufio.NewWriterSize(w, 4<<10)
		if err := p.ExecuteTemplate(bw, name, data); err != nil {
			return fmt.Errorf("microdot/template: %w", err)
		}
		return bw.Flush()
	}), nil
}
