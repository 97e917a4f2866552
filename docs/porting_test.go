// Package docs holds the test that keeps the porting guide
// (coming-from-microdot.md) true to the code.
package docs

import (
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// projectPackages are the project's packages a row may name, by qualifier.
var projectPackages = map[string]string{
	"microdot":  "../microdot",
	"cors":      "../microdot/cors",
	"formdata":  "../microdot/formdata",
	"template":  "../microdot/template",
	"sse":       "../microdot/sse",
	"websocket": "../microdot/websocket",
	"session":   "../microdot/session",
	"auth":      "../microdot/auth",
	"login":     "../microdot/login",
	"csrf":      "../microdot/csrf",
}

// stdPackages are the standard library's, by qualifier.
var stdPackages = map[string]string{
	"http":    "net/http",
	"url":     "net/url",
	"io":      "io",
	"mime":    "mime",
	"bytes":   "bytes",
	"slog":    "log/slog",
	"context": "context",
	"errors":  "errors",
	"os":      "os",
	"fs":      "io/fs",
	"tls":     "crypto/tls",
}

// declared returns the names a package's non-test files declare: "Name"
// for top-level functions, types, variables and constants, and
// "Type.Member" for methods, struct fields (embedded ones by their type's
// name) and interface methods.
func declared(dir string) (map[string]bool, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	fset := token.NewFileSet()
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					names[d.Name.Name] = true
				} else {
					names[receiverName(d.Recv.List[0].Type)+"."+d.Name.Name] = true
				}
			case *ast.GenDecl:
				addSpecs(names, d.Specs)
			}
		}
	}
	return names, nil
}

func addSpecs(names map[string]bool, specs []ast.Spec) {
	for _, s := range specs {
		switch s := s.(type) {
		case *ast.ValueSpec:
			for _, id := range s.Names {
				names[id.Name] = true
			}
		case *ast.TypeSpec:
			names[s.Name.Name] = true
			var fields *ast.FieldList
			switch t := s.Type.(type) {
			case *ast.StructType:
				fields = t.Fields
			case *ast.InterfaceType:
				fields = t.Methods
			}
			if fields == nil {
				continue
			}
			for _, f := range fields.List {
				for _, id := range f.Names {
					names[s.Name.Name+"."+id.Name] = true
				}
				if len(f.Names) == 0 {
					names[s.Name.Name+"."+receiverName(f.Type)] = true
				}
			}
		}
	}
}

// receiverName returns the type name of a receiver or embedded field
// expression: T, *T, T[P], pkg.T.
func receiverName(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.StarExpr:
		return receiverName(t.X)
	case *ast.IndexExpr:
		return receiverName(t.X)
	case *ast.IndexListExpr:
		return receiverName(t.X)
	case *ast.SelectorExpr:
		return t.Sel.Name
	case *ast.Ident:
		return t.Name
	}
	return ""
}

// checker resolves names of the form package.Name and package.Type.Member.
type checker struct {
	cache map[string]map[string]bool
}

var nameForm = regexp.MustCompile(`^([a-z][a-z0-9]*)\.([A-Z]\w*)(\.[A-Z]\w*)?$`)

// check returns nil when name exists, else what is wrong.
func (c *checker) check(name string) error {
	m := nameForm.FindStringSubmatch(name)
	if m == nil {
		return fmt.Errorf("%q is not of the form package.Name or package.Type.Member", name)
	}
	dir, ok := projectPackages[m[1]]
	if !ok {
		std, ok := stdPackages[m[1]]
		if !ok {
			return fmt.Errorf("%q: unknown package %q", name, m[1])
		}
		dir = filepath.Join(build.Default.GOROOT, "src", filepath.FromSlash(std))
	}
	if c.cache == nil {
		c.cache = map[string]map[string]bool{}
	}
	names, ok := c.cache[dir]
	if !ok {
		var err error
		if names, err = declared(dir); err != nil {
			return fmt.Errorf("%q: package %s: %w", name, m[1], err)
		}
		c.cache[dir] = names
	}
	if !names[m[2]+m[3]] {
		return fmt.Errorf("%q: package %s declares no %s", name, m[1], m[2]+m[3])
	}
	return nil
}

var backticked = regexp.MustCompile("`([^`]*)`")

// checkRow checks one row of the map: its Go column names only names that
// exist, or starts with "none" and the notes give the reason.
func (c *checker) checkRow(row string) []error {
	cells := strings.Split(strings.Trim(strings.TrimSpace(row), "|"), "|")
	if len(cells) != 3 {
		return []error{fmt.Errorf("row %q: want 3 cells (Microdot, Go, Notes), have %d", row, len(cells))}
	}
	goCell, notes := strings.TrimSpace(cells[1]), strings.TrimSpace(cells[2])
	if strings.HasPrefix(goCell, "none") {
		if goCell != "none" || notes == "" {
			return []error{fmt.Errorf("row %q: \"none\" alone in the Go column, and the reason in the notes", row)}
		}
		return nil
	}
	if strings.TrimSpace(backticked.ReplaceAllString(goCell, "")) != "" || goCell == "" {
		return []error{fmt.Errorf("row %q: the Go column holds backticked names only", row)}
	}
	var errs []error
	for _, m := range backticked.FindAllStringSubmatch(goCell, -1) {
		if err := c.check(m[1]); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// mapRows returns the table rows of the guide's "Every Microdot name"
// section, without header and separator rows.
func mapRows(t *testing.T) []string {
	data, err := os.ReadFile("coming-from-microdot.md")
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(data), "\n## Every Microdot name\n")
	require.True(t, ok, "the guide has an \"Every Microdot name\" section")
	if i := strings.Index(section, "\n## "); i >= 0 {
		section = section[:i]
	}
	var rows []string
	for line := range strings.SplitSeq(section, "\n") {
		if !strings.HasPrefix(line, "|") || strings.HasPrefix(line, "|---") || strings.HasPrefix(line, "| Microdot | Go |") {
			continue
		}
		rows = append(rows, line)
	}
	return rows
}

// TestPortingGuideNamesExist fails when a row of the porting guide's map
// names a package, function, type, method or field that does not exist.
func TestPortingGuideNamesExist(t *testing.T) {
	rows := mapRows(t)
	require.Greater(t, len(rows), 80, "the map covers Microdot's modules")
	var c checker
	for _, row := range rows {
		for _, err := range c.checkRow(row) {
			t.Error(err)
		}
	}
}

// TestCheckerRefuses shows that the check can fail.
func TestCheckerRefuses(t *testing.T) {
	var c checker
	for _, row := range []string{
		"| `x` | `microdot.NoSuchFunction` | |",
		"| `x` | `microdot.Request.NoSuchMethod` | |",
		"| `x` | `nosuchpkg.Thing` | |",
		"| `x` | `http.Request.NoSuchField` | |",
		"| `x` | `microdot.New()` | |",
		"| `x` | `microdot.New` and more | |",
		"| `x` | none | |",
		"| `x` | | |",
		"| `x` | `microdot.New` |",
	} {
		assert.NotEmpty(t, c.checkRow(row), row)
	}
	for _, row := range []string{
		"| `x` | `microdot.New` `microdot.App.Route` `microdot.Response.Header` | |",
		"| `x` | `http.Request.Cookie` `http.Request.Body` `url.Values` | |",
		"| `x` | none | why |",
	} {
		assert.Empty(t, c.checkRow(row), row)
	}
}
