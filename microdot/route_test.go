package microdot_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/microdot-go/microdot/microdot"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// probe is one request path and the parameters it must produce; a nil want
// means that the path must not match (404).
type probe struct {
	path string
	want map[string]any
}

func hit(path string, kv ...any) probe {
	want := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		want[kv[i].(string)] = kv[i+1]
	}
	return probe{path, want}
}

func miss(paths ...string) []probe {
	ps := make([]probe, len(paths))
	for i, p := range paths {
		ps[i] = probe{path: p}
	}
	return ps
}

func probes(ps ...any) []probe {
	var out []probe
	for _, p := range ps {
		switch p := p.(type) {
		case probe:
			out = append(out, p)
		case []probe:
			out = append(out, p...)
		}
	}
	return out
}

// TestPatternMatching ports Microdot's tests/test_url_pattern.py (static,
// string, int, path, regex and many-argument patterns) and adds httprouter's
// syntax, mixed syntax and the cases where Microdot is wrong.
func TestPatternMatching(t *testing.T) {
	tests := []struct {
		pattern string
		probes  []probe
	}{
		{"/", probes(hit("/"), miss("/foo", "//"))},
		{"/foo/bar", probes(hit("/foo/bar"), miss("/foo", "/foo/bar/", "/foo/bar/baz", "/foo//bar", "//foo/bar"))},
		{"/foo//bar/baz/", probes(hit("/foo//bar/baz/"), miss("/foo/bar/baz/", "/foo", "/foo/bar/baz"))},
		{"/<arg>", probes(hit("/foo", "arg", "foo"),
			miss("/", "//", "/foo/", "//foo/", "/foo//", "/foo/bar", "/foo//bar"))},
		{"/<arg>/", probes(hit("/foo/", "arg", "foo"), miss("/", "/foo", "/foo/bar", "/foo/bar/"))},
		{"/<string:arg>", probes(hit("/foo", "arg", "foo"), miss("/", "/foo/", "/foo/bar", "/foo/bar/"))},
		{"/<string:arg>/", probes(hit("/foo/", "arg", "foo"), miss("/", "/foo", "/foo/bar", "/foo/bar/"))},
		{"/foo/<arg1>/bar/<arg2>", probes(hit("/foo/one/bar/two", "arg1", "one", "arg2", "two"),
			miss("/", "/foo/", "/foo/bar", "/foo//bar/", "/foo//bar//"))},
		{"/users/<int:id>", probes(
			hit("/users/123", "id", 123), hit("/users/-123", "id", -123), hit("/users/0", "id", 0),
			hit("/users/007", "id", 7), hit("/users/-007", "id", -7),
			miss("/users/", "/users/abc", "/users/123abc", "/users/123/abc", "/users/--1", "/users/+5",
				"/users/1.5", "/users/-", "/users/99999999999999999999", "/users/-99999999999999999999"))},
		{"/users/<int:id>/<int:id2>/", probes(
			hit("/users/123/456/", "id", 123, "id2", 456), hit("/users/123/-456/", "id", 123, "id2", -456),
			miss("/users/", "/users/123/-456", "/users/123/abc/", "/users/123/-456/abc", "/users/--123/456/"))},
		{"/users/<path:path>", probes(
			hit("/users/123", "path", "123"), hit("/users/123/", "path", "123/"), hit("/users/abc/def", "path", "abc/def"),
			miss("/users/", "/users"))},
		{"/users/<path:path>/foo", probes(
			hit("/users/123/foo", "path", "123"), hit("/users/foo/foo", "path", "foo"),
			hit("/users/abc/def/foo", "path", "abc/def"),
			miss("/users/", "/users/foo", "/users/foo/"))},
		{"/a/<path:p>/edit", probes(
			hit("/a/x/edit", "p", "x"), hit("/a/x/y/edit", "p", "x/y"), hit("/a/x/edit/edit", "p", "x/edit"),
			miss("/a/edit", "/a/x/y", "/a/x/y/edit/"))},
		{"/users/<re:[a-c]+:id>", probes(hit("/users/ab", "id", "ab"), hit("/users/bca", "id", "bca"),
			miss("/users", "/users/", "/users/abcd", "/users/abcdx", "/users/xab"))},
		{"/foo/<path:path>/<int:id>/bar/<name>", probes(
			hit("/foo/abc/def/123/bar/test", "path", "abc/def", "id", 123, "name", "test"),
			miss("/foo/123/bar/test", "/foo/abc/def/ghi/bar/test", "/foo/abc/def/123/bar",
				"/foo/abc/def/123/bar/", "/foo/abc/def/123/test"))},
		// Like Microdot's regexes, path parameters are greedy.
		{"/<path:a>/<path:b>", probes(hit("/x/y/z", "a", "x/y", "b", "z"), hit("/x/y", "a", "x", "b", "y"), miss("/x", "/x/"))},
		// The name is after the last ':', so a regex may hold ':'.
		{"/t/<re:a:b:id>", probes(hit("/t/a:b", "id", "a:b"), miss("/t/ab", "/t/a:bc"))},
		{"/r/<re:[0-9]{2}:d>", probes(hit("/r/12", "d", "12"), miss("/r/1", "/r/123"))},
		// '?' is a quantifier inside a regex, not the start of a query.
		{"/q/<re:colou?r:c>", probes(hit("/q/color", "c", "color"), hit("/q/colour", "c", "colour"), miss("/q/colouur"))},
		// Microdot reads arguments back by group index, so a capture group in
		// a regex shifts the next argument (it gives m='a' here). Fixed.
		{"/x/<re:(a|b)c:n>/<m>", probes(hit("/x/ac/zz", "n", "ac", "m", "zz"), miss("/x/cc/zz"))},
		{"/y/<path:p>/<re:(a|b)(c):n>/<m>", probes(
			hit("/y/q/r/bc/zz", "p", "q/r", "n", "bc", "m", "zz"), miss("/y/q/r/dc/zz"))},
		{"/z/<int:a>/<re:(x)(y)?:n>/<int:b>", probes(
			hit("/z/1/x/2", "a", 1, "n", "x", "b", 2), hit("/z/1/xy/2", "a", 1, "n", "xy", "b", 2), miss("/z/1/y/2"))},
		// httprouter's syntax.
		{"/h/:name", probes(hit("/h/bob", "name", "bob"), miss("/h/", "/h/bob/", "/h/bob/x"))},
		{"/h/:a/x/:b", probes(hit("/h/1/x/2", "a", "1", "b", "2"), miss("/h/1/y/2"))},
		{"/src/*filepath", probes(hit("/src/a/b.go", "filepath", "/a/b.go"), hit("/src/", "filepath", "/"),
			hit("/src/a/", "filepath", "/a/"), miss("/src", "/srcx"))},
		// Both syntaxes in one pattern.
		{"/m/:a/<int:b>/*rest", probes(hit("/m/x/5/y/z", "a", "x", "b", 5, "rest", "/y/z"), miss("/m/x/y/z"))},
		// ':' and '*' inside a segment are literal text.
		{"/lit/a:b*c", probes(hit("/lit/a:b*c"), miss("/lit/zz", "/lit/a"))},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			var got map[string]any
			var want map[string]any
			app := microdot.New()
			require.NotPanics(t, func() {
				app.Get(tt.pattern, func(req *microdot.Request) (*microdot.Response, error) {
					got = map[string]any{}
					for k := range want {
						got[k] = req.Param(k)
					}
					return microdot.Text("matched"), nil
				})
			}, "registering %s", tt.pattern)
			c := microdot.NewTestClient(app)
			for _, p := range tt.probes {
				got, want = nil, p.want
				res := c.Get(p.path)
				if p.want == nil {
					assert.Equal(t, http.StatusNotFound, res.StatusCode, "%s must not match", p.path)
					assert.Nil(t, got, "%s: handler called", p.path)
					continue
				}
				if assert.Equal(t, http.StatusOK, res.StatusCode, "%s must match", p.path) {
					assert.Equal(t, p.want, got, "%s: parameters", p.path)
				}
			}
		})
	}
}

func TestParamAccessors(t *testing.T) {
	type seen struct {
		param    any
		pathVal  string
		n        int
		isInt    bool
		missing  any
		missingV string
	}
	var s seen
	record := func(name string) microdot.Handler {
		return func(req *microdot.Request) (*microdot.Response, error) {
			s.param = req.Param(name)
			s.pathVal = req.PathValue(name)
			s.n, s.isInt = req.ParamInt(name)
			s.missing = req.Param("nope")
			s.missingV = req.PathValue("nope")
			return nil, nil
		}
	}
	app := microdot.New()
	app.Get("/i/<int:id>", record("id"))
	app.Get("/s/<id>", record("id"))
	app.Get("/c/:id", record("id"))
	app.Get("/p/<path:id>", record("id"))
	app.Get("/a/*id", record("id"))
	app.Get("/none", record("id"))
	c := microdot.NewTestClient(app)

	tests := []struct {
		path string
		want seen
	}{
		{"/i/007", seen{param: 7, pathVal: "007", n: 7, isInt: true}},
		{"/i/-12", seen{param: -12, pathVal: "-12", n: -12, isInt: true}},
		{"/s/42", seen{param: "42", pathVal: "42"}},
		{"/c/42", seen{param: "42", pathVal: "42"}},
		{"/p/x/y", seen{param: "x/y", pathVal: "x/y"}},
		{"/a/x/y", seen{param: "/x/y", pathVal: "/x/y"}},
		{"/none", seen{param: nil, pathVal: ""}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			s = seen{missing: "sentinel", missingV: "sentinel"}
			require.Equal(t, http.StatusNoContent, c.Get(tt.path).StatusCode)
			assert.Equal(t, tt.want, s)
		})
	}
}

func TestConverterRejectionTriesNextCandidate(t *testing.T) {
	t.Run("next candidate", func(t *testing.T) {
		app := microdot.New()
		app.Get("/n/<int:id>", func(req *microdot.Request) (*microdot.Response, error) {
			id, _ := req.ParamInt("id")
			return microdot.Text(fmt.Sprintf("int %d", id)), nil
		})
		app.Get("/n/<name>", func(req *microdot.Request) (*microdot.Response, error) {
			return microdot.Text("name " + req.PathValue("name")), nil
		})
		c := microdot.NewTestClient(app)
		assert.Equal(t, "int 5", c.Get("/n/5").Text())
		assert.Equal(t, "name abc", c.Get("/n/abc").Text())
		assert.Equal(t, "name 123abc", c.Get("/n/123abc").Text())
		assert.Equal(t, "name 99999999999999999999", c.Get("/n/99999999999999999999").Text(), "overflow is not an int")
	})
	t.Run("then 404", func(t *testing.T) {
		app := microdot.New()
		app.Get("/n/<int:id>", text("int"))
		c := microdot.NewTestClient(app)
		for _, p := range []string{"/n/abc", "/n/123abc", "/n/--1", "/n/99999999999999999999"} {
			assert.Equal(t, http.StatusNotFound, c.Get(p).StatusCode, p)
		}
		assert.Equal(t, http.StatusOK, c.Get("/n/1").StatusCode)
	})
}

func TestCustomConverter(t *testing.T) {
	hexParse := func(s string) (any, error) { return strconv.ParseInt(s, 16, 64) }
	tests := []struct {
		name string
		conv microdot.Converter
		path string
		want any // nil: 404
	}{
		// Microdot's test_custom_url_pattern, in its three variants.
		{"pattern only", microdot.Converter{Pattern: "[0-9a-f]+"}, "/users/a1", "a1"},
		{"pattern only, mismatch", microdot.Converter{Pattern: "[0-9a-f]+"}, "/users/ab12z", nil},
		{"pattern and parser", microdot.Converter{Pattern: "[0-9a-f]+", Parse: hexParse}, "/users/a1", int64(161)},
		{"pattern and parser, mismatch", microdot.Converter{Pattern: "[0-9a-f]+", Parse: hexParse}, "/users/ab12z", nil},
		{"parser only", microdot.Converter{Parse: hexParse}, "/users/A1", int64(161)},
		{"parser only, parse error", microdot.Converter{Parse: hexParse}, "/users/ab12z", nil},
		{"the pattern must match the whole value", microdot.Converter{Pattern: "[0-9a-f]"}, "/users/a1", nil},
		{"one segment only", microdot.Converter{Pattern: ".+"}, "/users/a/b", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got any
			app := microdot.New()
			app.Converter("hex", tt.conv)
			app.Get("/users/<hex:id>", func(req *microdot.Request) (*microdot.Response, error) {
				got = req.Param("id")
				return microdot.Text("ok"), nil
			})
			res := microdot.NewTestClient(app).Get(tt.path)
			if tt.want == nil {
				assert.Equal(t, http.StatusNotFound, res.StatusCode)
				assert.Nil(t, got)
				return
			}
			assert.Equal(t, http.StatusOK, res.StatusCode)
			assert.Equal(t, tt.want, got)
		})
	}

	t.Run("parse error falls through to the next route", func(t *testing.T) {
		app := microdot.New()
		app.Converter("even", microdot.Converter{Pattern: "[0-9]+", Parse: func(s string) (any, error) {
			n, err := strconv.Atoi(s)
			if err == nil && n%2 != 0 {
				return nil, fmt.Errorf("%d is odd", n)
			}
			return n, err
		}})
		app.Get("/n/<even:n>", text("even"))
		app.Get("/n/<int:n>", text("odd"))
		c := microdot.NewTestClient(app)
		assert.Equal(t, "even", c.Get("/n/4").Text())
		assert.Equal(t, "odd", c.Get("/n/3").Text())
	})

	t.Run("Param returns the value Parse gave when matching", func(t *testing.T) {
		// A converter may look a value up (a "<user:u>" giving a *User);
		// Microdot converts once, while matching. Param must return that
		// value, not run Parse again (which may give another result).
		calls := 0
		app := microdot.New()
		app.Converter("user", microdot.Converter{Parse: func(s string) (any, error) {
			calls++
			if calls > 1 {
				return nil, fmt.Errorf("%s was deleted meanwhile", s)
			}
			return "user " + s, nil
		}})
		var first, second any
		app.Get("/u/<user:u>", func(req *microdot.Request) (*microdot.Response, error) {
			first, second = req.Param("u"), req.Param("u")
			return nil, nil
		})
		require.Equal(t, http.StatusNoContent, microdot.NewTestClient(app).Get("/u/ada").StatusCode)
		assert.Equal(t, "user ada", first)
		assert.Equal(t, "user ada", second)
		assert.Equal(t, 1, calls, "Parse calls for one matched value")
	})

	t.Run("converters belong to their App", func(t *testing.T) {
		a := microdot.New()
		a.Converter("hex", microdot.Converter{Pattern: "[0-9a-f]+"})
		b := microdot.New()
		msg, panicked := panicMessage(func() { b.Get("/<hex:id>", text("x")) })
		assert.True(t, panicked, "App b has no hex converter")
		assert.Contains(t, msg, "hex")
	})

	t.Run("invalid converters panic", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			conv microdot.Converter
		}{
			{"", microdot.Converter{}},
			{"1x", microdot.Converter{}},
			{"a-b", microdot.Converter{}},
			{"int", microdot.Converter{}},
			{"path", microdot.Converter{}},
			{"string", microdot.Converter{}},
			{"re", microdot.Converter{}},
			{"ok", microdot.Converter{Pattern: "[a-"}},
		} {
			msg, panicked := panicMessage(func() { microdot.New().Converter(tc.name, tc.conv) })
			if assert.True(t, panicked, "converter %q %+v", tc.name, tc.conv) {
				assert.True(t, strings.HasPrefix(msg, "microdot:"), msg)
			}
		}
	})
}

// TestStaticBesideParameter pins what httprouter refuses: a static segment
// and a parameter at the same position, and other route sets whose patterns
// disagree on a segment. A fully static route beats routes
// with parameters; otherwise registration order decides (Microdot's rule).
func TestStaticBesideParameter(t *testing.T) {
	tests := []struct {
		name   string
		routes []string // registered in this order; the handler answers its pattern
		want   map[string]string
	}{
		// Route sets that disagree elsewhere than one static segment; the
		// tree holds their general path.
		{"empty last segment beside a parameter", []string{"/a/", "/a/<x>"},
			map[string]string{"/a/": "/a/", "/a/b": "/a/<x>", "/a": ""}},
		{"empty last segment beside a catch-all", []string{"/a/*x", "/a/"},
			map[string]string{"/a/": "/a/", "/a/b/c": "/a/*x", "/a": ""}},
		{"root beside a root catch-all", []string{"/*any", "/", "/hello"},
			map[string]string{"/": "/", "/hello": "/hello", "/x/y": "/*any"}},
		{"empty inner segment beside a parameter", []string{"/a//b", "/a/<x>"},
			map[string]string{"/a//b": "/a//b", "/a/q": "/a/<x>", "/a//c": ""}},
		{"static under a catch-all", []string{"/s/*f", "/s/x", "/s/x/<int:n>"},
			map[string]string{"/s/x": "/s/x", "/s/x/1": "/s/*f", "/s/y": "/s/*f"}},
		{"catch-all beside a deeper catch-all", []string{"/a/b/*y", "/a/*x"},
			map[string]string{"/a/b/c": "/a/b/*y", "/a/c/d": "/a/*x", "/a/b/": "/a/b/*y"}},
		{"path parameter then static", []string{"/f/<path:p>/edit", "/f/<name>", "/f/new"},
			map[string]string{"/f/a/b/edit": "/f/<path:p>/edit", "/f/x": "/f/<name>", "/f/new": "/f/new", "/f/edit": "/f/<name>"}},
		{"literal colon beside a parameter", []string{"/t/a:b", "/t/<x>"},
			map[string]string{"/t/a:b": "/t/a:b", "/t/ab": "/t/<x>"}},
		{"deep conflicts", []string{"/users/<id>", "/users/new", "/users/<id>/posts", "/users/new/x", "/users/<id>/<int:n>"},
			map[string]string{"/users/7": "/users/<id>", "/users/new": "/users/new", "/users/new/posts": "/users/<id>/posts",
				"/users/new/x": "/users/new/x", "/users/7/x": "", "/users/7/3": "/users/<id>/<int:n>"}},
		{"static first", []string{"/users/new", "/users/<id>"},
			map[string]string{"/users/new": "/users/new", "/users/bob": "/users/<id>", "/users/": ""}},
		{"parameter first", []string{"/users/<id>", "/users/new"},
			map[string]string{"/users/new": "/users/new", "/users/bob": "/users/<id>"}},
		{"httprouter syntax", []string{"/users/:id", "/users/new"},
			map[string]string{"/users/new": "/users/new", "/users/bob": "/users/:id"}},
		{"deeper conflict, x first", []string{"/a/<x>/c", "/a/b/<y>"},
			map[string]string{"/a/b/c": "/a/<x>/c", "/a/b/d": "/a/b/<y>", "/a/z/c": "/a/<x>/c", "/a/z/d": ""}},
		{"deeper conflict, y first", []string{"/a/b/<y>", "/a/<x>/c"},
			map[string]string{"/a/b/c": "/a/b/<y>", "/a/b/d": "/a/b/<y>", "/a/z/c": "/a/<x>/c"}},
		{"path parameter beside static", []string{"/<path:p>", "/a/b"},
			map[string]string{"/a/b": "/a/b", "/a/c": "/<path:p>", "/a": "/<path:p>"}},
		{"catch-all beside static", []string{"/files/*rest", "/files/readme"},
			map[string]string{"/files/readme": "/files/readme", "/files/other": "/files/*rest"}},
		{"static beside catch-all", []string{"/files/readme", "/files/*rest"},
			map[string]string{"/files/readme": "/files/readme", "/files/other": "/files/*rest"}},
		{"path then string: registration order", []string{"/f/<path:p>", "/f/<name>"},
			map[string]string{"/f/x": "/f/<path:p>", "/f/x/y": "/f/<path:p>"}},
		{"string then path: registration order", []string{"/f/<name>", "/f/<path:p>"},
			map[string]string{"/f/x": "/f/<name>", "/f/x/y": "/f/<path:p>"}},
		{"int then string", []string{"/p/<int:id>", "/p/<name>"},
			map[string]string{"/p/5": "/p/<int:id>", "/p/x": "/p/<name>"}},
		{"string then int", []string{"/p/<name>", "/p/<int:id>"},
			map[string]string{"/p/5": "/p/<name>", "/p/x": "/p/<name>"}},
		{"two parameters beside static", []string{"/v/<a>/<b>", "/v/x/y"},
			map[string]string{"/v/x/y": "/v/x/y", "/v/x/z": "/v/<a>/<b>"}},
		{"partly static: registration order", []string{"/g/<id>/edit", "/g/new/<x>"},
			map[string]string{"/g/new/edit": "/g/<id>/edit", "/g/new/x": "/g/new/<x>", "/g/7/edit": "/g/<id>/edit"}},
		{"partly static, reversed", []string{"/g/new/<x>", "/g/<id>/edit"},
			map[string]string{"/g/new/edit": "/g/new/<x>"}},
		{"static with a literal ':' beside a parameter", []string{"/l/<name>", "/l/a:b"},
			map[string]string{"/l/a:b": "/l/a:b", "/l/c": "/l/<name>"}},
		{"literal ':' first", []string{"/l/a:b", "/l/<name>"},
			map[string]string{"/l/a:b": "/l/a:b", "/l/c": "/l/<name>"}},
		{"many levels", []string{"/<a>", "/x", "/<a>/<b>", "/x/<b>", "/x/y", "/<a>/y/<c>"},
			map[string]string{"/x": "/x", "/q": "/<a>", "/x/y": "/x/y", "/x/z": "/<a>/<b>", "/q/y/z": "/<a>/y/<c>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := microdot.New()
			for _, p := range tt.routes {
				require.NotPanics(t, func() { app.Get(p, text(p)) }, "registering %s", p)
			}
			c := microdot.NewTestClient(app)
			for path, want := range tt.want {
				res := c.Get(path)
				if want == "" {
					assert.Equal(t, http.StatusNotFound, res.StatusCode, path)
					continue
				}
				assert.Equal(t, http.StatusOK, res.StatusCode, path)
				assert.Equal(t, want, res.Text(), "GET %s", path)
				assert.Equal(t, http.StatusMethodNotAllowed, c.Delete(path).StatusCode, "DELETE %s", path)
				assert.Equal(t, "GET, HEAD, OPTIONS", c.Options(path).Header.Get("Allow"), "OPTIONS %s", path)
			}
		})
	}
}

// TestDuplicateRoutesPanic: Microdot lets a second identical route be
// registered and never serves it; the App refuses it at registration.
func TestDuplicateRoutesPanic(t *testing.T) {
	tests := []struct {
		name   string
		first  []string // pattern, methods...
		second []string
	}{
		{"same pattern, same method", []string{"/d"}, []string{"/d"}},
		{"same pattern, overlapping methods", []string{"/d", "GET", "POST"}, []string{"/d", "PUT", "POST"}},
		{"method spelled in lower case", []string{"/d/<id>", "DELETE"}, []string{"/d/<id>", "delete"}},
		{"other parameter name", []string{"/d/<id>"}, []string{"/d/<name>"}},
		{"other syntax for the same parameter", []string{"/d/<string:id>"}, []string{"/d/:id"}},
		{"same converter, other name", []string{"/d/<int:a>/x"}, []string{"/d/<int:b>/x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := microdot.New()
			app.Route(tt.first[0], text("first"), tt.first[1:]...)
			msg, panicked := panicMessage(func() { app.Route(tt.second[0], text("second"), tt.second[1:]...) })
			require.True(t, panicked)
			assert.True(t, strings.HasPrefix(msg, "microdot:"), msg)
			assert.Contains(t, msg, tt.second[0])
		})
	}
	t.Run("brought in by Mount", func(t *testing.T) {
		sub := microdot.New()
		sub.Get("/x", text("sub"))
		app := microdot.New()
		app.Get("/api/x", text("app"))
		msg, panicked := panicMessage(func() { app.Mount("/api", sub) })
		require.True(t, panicked)
		assert.True(t, strings.HasPrefix(msg, "microdot:"), msg)
		assert.Contains(t, msg, "/api/x")
	})
	t.Run("other converters are fine", func(t *testing.T) {
		app := microdot.New()
		app.Get("/e/<int:id>", text("int"))
		assert.NotPanics(t, func() { app.Get("/e/<id>", text("string")) })
		assert.NotPanics(t, func() { app.Get("/e/<re:[a-z]+:id>", text("re")) })
		c := microdot.NewTestClient(app)
		assert.Equal(t, "int", c.Get("/e/12").Text())
		assert.Equal(t, "string", c.Get("/e/ab").Text())
	})
	t.Run("same pattern, other methods is fine", func(t *testing.T) {
		app := microdot.New()
		app.Get("/d", text("get"))
		require.NotPanics(t, func() { app.Post("/d", text("post")) })
		c := microdot.NewTestClient(app)
		assert.Equal(t, "get", c.Get("/d").Text())
		assert.Equal(t, "post", c.Post("/d", nil).Text())
	})
}

func TestTrailingSlashIsNotRedirected(t *testing.T) {
	app := microdot.New()
	app.Get("/foo", text("foo"))
	app.Get("/bar/", text("bar"))
	c := microdot.NewTestClient(app)
	for _, p := range []string{"/foo/", "/bar", "/FOO", "/foo//"} {
		res := c.Get(p)
		assert.Equal(t, http.StatusNotFound, res.StatusCode, p)
		assert.Empty(t, res.Header.Get("Location"), p)
	}
}

// Microdot matches the raw path and gives 'a%20b'; the App decodes values.
func TestPercentEncodedValues(t *testing.T) {
	app := microdot.New()
	echo := func(name string) microdot.Handler {
		return func(req *microdot.Request) (*microdot.Response, error) {
			return microdot.Text(fmt.Sprintf("%v", req.Param(name))), nil
		}
	}
	app.Get("/u/<name>", echo("name"))
	app.Get("/u/<name>/edit", echo("name"))
	app.Get("/c/:name", echo("name"))
	app.Get("/p/<path:p>", echo("p"))
	app.Get("/s/*rest", echo("rest"))
	app.Get("/i/<int:id>", echo("id"))
	app.Get("/my docs/<name>", echo("name"))
	app.Get("/t/<path:p>/my docs", echo("p"))
	app.Get("/t2/<path:p>/<re:a b|c:x>", echo("x"))
	app.Get("/a/b", text("static a/b"))

	tests := []struct {
		path string
		want string // "" means 404
	}{
		{"/u/a%20b", "a b"},
		{"/u/a+b", "a+b"},
		{"/u/caf%C3%A9", "café"},
		{"/u/a%2Fb", "a/b"},
		{"/u/a%2fb", "a/b"},
		{"/u/a%2Fb/edit", "a/b"},
		{"/u/%3Cx%3E", "<x>"},
		{"/c/a%2Fb", "a/b"},
		{"/p/a%2Fb/c", "a/b/c"},
		{"/p/a%20b/c%20d", "a b/c d"},
		{"/s/a%2Fb", "/a/b"},
		{"/i/%31%32", "12"},
		{"/my%20docs/x", "x"},
		{"/my%20docs/a%2Fb", "a/b"},
		{"/t/x/y/my%20docs", "x/y"},
		{"/t/x%2Fy/my%20docs", "x/y"},
		{"/t/x%2Fy/my docs", "x/y"},
		{"/t2/q/a%20b", "a b"},
		{"/t2/q%2Fr/a%20b", "a b"},
		{"/a%2Fb", ""}, // one segment "a/b": not the static route /a/b
		{"/a/b", "static a/b"},
	}
	c := microdot.NewTestClient(app)
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res := c.Get(tt.path)
			if tt.want == "" {
				assert.Equal(t, http.StatusNotFound, res.StatusCode)
				return
			}
			assert.Equal(t, http.StatusOK, res.StatusCode)
			assert.Equal(t, tt.want, res.Text())
		})
	}
}

func TestInvalidPatternsPanic(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		methods []string
	}{
		{"empty", "", nil},
		{"missing leading slash", "users", nil},
		{"missing leading slash with parameter", "users/<id>", nil},
		{"unclosed <", "/users/<foo/bar", nil},
		{"unclosed < at the end", "/<foo", nil},
		{"stray >", "/foo>", nil},
		{"unknown converter", "/users/<badtype:id>", nil},
		{"duplicate names", "/<a>/<a>", nil},
		{"duplicate names across syntaxes", "/:a/<int:a>", nil},
		{"duplicate with catch-all", "/<a>/*a", nil},
		{"catch-all not last", "/*rest/x", nil},
		{"catch-all after a path parameter", "/<path:p>/*rest", nil},
		{"bad regex", "/<re:[a-:x>", nil},
		{"bad regex group", "/<re:(a:x>", nil},
		{"regex without name", "/<re:abc>", nil},
		{"partial segment after", "/<a>b", nil},
		{"partial segment before", "/b<a>", nil},
		{"partial segment both", "/x<int:a>y", nil},
		{"empty name", "/<>", nil},
		{"empty typed name", "/<int:>", nil},
		{"empty httprouter name", "/:", nil},
		{"empty catch-all name", "/x/*", nil},
		{"name starting with a digit", "/<1a>", nil},
		{"name with a dash", "/<a-b>", nil},
		{"query in pattern", "/a?b=1", nil},
		{"fragment in pattern", "/a#b", nil},
		{"control character", "/a\nb", nil},
		{"method with a space", "/m", []string{"GE T"}},
		{"empty method", "/m", []string{""}},
		{"method with a slash", "/m", []string{"GET", "PO/ST"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := microdot.New()
			app.Get("/ok", text("ok"))
			msg, panicked := panicMessage(func() { app.Route(tt.pattern, text("x"), tt.methods...) })
			require.True(t, panicked, "pattern %q methods %q must panic", tt.pattern, tt.methods)
			assert.True(t, strings.HasPrefix(msg, "microdot:"), "message %q", msg)
			named := strings.Contains(msg, strconv.Quote(tt.pattern)) || (tt.pattern != "" && strings.Contains(msg, tt.pattern))
			assert.True(t, named, "message %q must name the pattern %q", msg, tt.pattern)
			// The App is unharmed: earlier routes are still served.
			c := microdot.NewTestClient(app)
			assert.Equal(t, "ok", c.Get("/ok").Text())
		})
	}
	t.Run("nil handler", func(t *testing.T) {
		msg, panicked := panicMessage(func() { microdot.New().Get("/x", nil) })
		require.True(t, panicked)
		assert.Contains(t, msg, `"/x"`)
	})
}

// TestNotFoundAndMethodNotAllowed ports test_404 and test_405. Microdot
// answers 405 with the body "Not found" and no Allow header; the App sends
// the status text and an Allow header.
func TestNotFoundAndMethodNotAllowed(t *testing.T) {
	app := microdot.New()
	app.Route("/", text("foo"), "GET", "DELETE")
	app.Post("/", text("bar"))
	app.Route("/foo", text("baz"), "POST", "PUT")
	app.Get("/n/<int:id>", text("int"))
	app.Post("/n/<name>", text("name"))
	app.Route("/h", text("head"), "HEAD")

	tests := []struct {
		method, path string
		status       int
		allow        string
	}{
		{"POST", "/nope", 404, ""},
		{"GET", "/nope", 404, ""},
		{"PATCH", "/", 405, "GET, DELETE, POST, HEAD, OPTIONS"},
		{"PUT", "/", 405, "GET, DELETE, POST, HEAD, OPTIONS"},
		{"GET", "/foo", 405, "POST, PUT, OPTIONS"},
		{"HEAD", "/foo", 405, "POST, PUT, OPTIONS"},
		{"DELETE", "/foo", 405, "POST, PUT, OPTIONS"},
		{"PUT", "/n/5", 405, "GET, POST, HEAD, OPTIONS"},
		{"PUT", "/n/x", 405, "POST, OPTIONS"}, // the int route does not match "x"
		{"GET", "/n/x", 405, "POST, OPTIONS"},
		{"GET", "/h", 405, "HEAD, OPTIONS"},
	}
	c := microdot.NewTestClient(app)
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			res := c.Request(tt.method, tt.path, nil)
			assert.Equal(t, tt.status, res.StatusCode)
			assert.Equal(t, tt.allow, joined(res.Header, "Allow"))
			assert.Equal(t, "text/plain; charset=utf-8", res.Header.Get("Content-Type"))
			if tt.method != "HEAD" {
				assert.Equal(t, http.StatusText(tt.status), res.Text())
			}
		})
	}

	t.Run("Allow lists an explicit OPTIONS route once", func(t *testing.T) {
		app := microdot.New()
		app.Route("/o", text("o"), "GET", "OPTIONS")
		res := microdot.NewTestClient(app).Post("/o", nil)
		require.Equal(t, http.StatusMethodNotAllowed, res.StatusCode)
		ms := strings.Split(joined(res.Header, "Allow"), ", ")
		assert.ElementsMatch(t, []string{"GET", "HEAD", "OPTIONS"}, ms)
	})
}

// TestHead ports test_head_request: HEAD is served by the GET route with the
// GET headers and Content-Length, and no body.
func TestHead(t *testing.T) {
	app := microdot.New()
	getCalls := 0
	app.Get("/foo", func(req *microdot.Request) (*microdot.Response, error) {
		getCalls++
		return microdot.Text("foo").SetHeader("X-Foo", "bar"), nil
	})
	app.Get("/json", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.JSON(map[string]string{"a": "b"}), nil
	})
	app.Get("/bytes", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Bytes("image/png", []byte{1, 2, 3, 4, 5}), nil
	})
	app.Get("/p/<int:id>", text("param"))

	tests := []struct {
		path, ctype, length string
	}{
		{"/foo", "text/plain; charset=utf-8", "3"},
		{"/json", "application/json", strconv.Itoa(len(`{"a":"b"}`))},
		{"/bytes", "image/png", "5"},
		{"/p/1", "text/plain; charset=utf-8", "5"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			w := record(app, "HEAD", tt.path, nil)
			assert.Equal(t, http.StatusOK, w.Code)
			assert.Equal(t, tt.ctype, w.Header().Get("Content-Type"))
			assert.Equal(t, tt.length, w.Header().Get("Content-Length"))
			assert.Zero(t, w.Body.Len(), "HEAD must not write a body")
		})
	}
	getCalls = 0
	w := record(app, "HEAD", "/foo", nil)
	assert.Equal(t, "bar", w.Header().Get("X-Foo"))
	assert.Equal(t, 1, getCalls, "the GET handler serves HEAD")

	t.Run("over a real connection", func(t *testing.T) {
		srv := startServer(t, app)
		hc := client(t)
		get, err := hc.Get(srv.URL + "/foo")
		require.NoError(t, err)
		body, _ := io.ReadAll(get.Body)
		get.Body.Close()
		head, err := hc.Head(srv.URL + "/foo")
		require.NoError(t, err)
		head.Body.Close()
		assert.Equal(t, "foo", string(body))
		assert.Equal(t, http.StatusOK, head.StatusCode)
		assert.Equal(t, int64(3), head.ContentLength)
		assert.Equal(t, get.Header.Get("Content-Length"), head.Header.Get("Content-Length"))
		assert.Equal(t, get.Header.Get("Content-Type"), head.Header.Get("Content-Type"))
	})
}

// Microdot makes an explicit HEAD route unreachable (HEAD always matches as
// GET); the App serves it.
func TestExplicitHeadRouteWins(t *testing.T) {
	head := func(req *microdot.Request) (*microdot.Response, error) {
		return (&microdot.Response{StatusCode: 200}).SetHeader("X-Via", "head"), nil
	}
	get := func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Text("get").SetHeader("X-Via", "get"), nil
	}
	tests := []struct {
		name     string
		register func(app *microdot.App)
		path     string
	}{
		{"HEAD registered first", func(app *microdot.App) {
			app.Route("/h", head, "HEAD")
			app.Get("/h", get)
		}, "/h"},
		{"GET registered first", func(app *microdot.App) {
			app.Get("/h", get)
			app.Route("/h", head, "HEAD")
		}, "/h"},
		{"HEAD-only route beside an earlier catch-all GET", func(app *microdot.App) {
			app.Get("/<any>", get)
			app.Route("/h", head, "HEAD")
		}, "/h"},
		{"parameter HEAD route after a parameter GET route", func(app *microdot.App) {
			app.Get("/c/<y>", get)
			app.Route("/c/<x>", head, "HEAD")
		}, "/c/a"},
		{"parameter HEAD route after a path GET route", func(app *microdot.App) {
			app.Get("/c/<path:p>", get)
			app.Route("/c/<x>", head, "HEAD")
		}, "/c/a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := microdot.New()
			tt.register(app)
			c := microdot.NewTestClient(app)
			assert.Equal(t, "head", c.Head(tt.path).Header.Get("X-Via"), "HEAD")
			res := c.Get(tt.path)
			assert.Equal(t, "get", res.Header.Get("X-Via"), "GET")
			assert.Equal(t, "get", res.Text())
		})
	}
}

// TestAutomaticOptions ports test_options_request. Microdot answers 200 with
// an empty text/plain body, and also answers paths with no route; the App
// answers 204, and 404 where no route matches.
func TestAutomaticOptions(t *testing.T) {
	app := microdot.New()
	app.Route("/", text("foo"), "GET", "DELETE")
	app.Post("/", text("bar"))
	app.Route("/foo", text("baz"), "POST", "PUT")
	optionsCalls := 0
	app.Route("/own", func(req *microdot.Request) (*microdot.Response, error) {
		optionsCalls++
		return microdot.Text("own options").SetHeader("Allow", "GET, OPTIONS"), nil
	}, "OPTIONS")
	app.Get("/own", text("own"))
	app.Route("/o/<int:id>", text("int options"), "OPTIONS")
	app.Get("/o/<name>", text("name"))
	app.Get("/users/new", text("new"))
	app.Get("/users/<int:id>", text("user"))
	app.Post("/users/<id>", text("create"))

	tests := []struct {
		path   string
		status int
		allow  string
		body   string
	}{
		{"/", 204, "GET, DELETE, POST, HEAD, OPTIONS", ""},
		{"/foo", 204, "POST, PUT, OPTIONS", ""},
		{"/own", 200, "GET, OPTIONS", "own options"},
		{"/o/5", 200, "", "int options"},
		{"/o/x", 204, "GET, HEAD, OPTIONS", ""}, // the OPTIONS route does not match "x"
		// Every route whose pattern matches counts, static or not.
		{"/users/new", 204, "GET, POST, HEAD, OPTIONS", ""},
		{"/users/5", 204, "GET, POST, HEAD, OPTIONS", ""},
		{"/nope", 404, "", http.StatusText(404)},
	}
	c := microdot.NewTestClient(app)
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			w := record(app, "OPTIONS", tt.path, nil)
			assert.Equal(t, tt.status, w.Code)
			assert.Equal(t, tt.allow, joined(w.Header(), "Allow"))
			assert.Equal(t, tt.body, w.Body.String())
			res := c.Options(tt.path)
			assert.Equal(t, tt.status, res.StatusCode, "through the TestClient")
		})
	}
	optionsCalls = 0
	c.Options("/own")
	assert.Equal(t, 1, optionsCalls, "the user's OPTIONS route is called")
}

// TestOptionsAsterisk: "OPTIONS *" asks about the server as a whole; the
// App lists every method that some route serves.
func TestOptionsAsterisk(t *testing.T) {
	newApp := func() *microdot.App {
		app := microdot.New()
		app.Get("/a", text("a"))
		app.Post("/b", text("b"))
		app.Route("/c", text("c"), "PUT", "GET")
		return app
	}
	const want = "GET, POST, PUT, HEAD, OPTIONS"

	t.Run("in memory", func(t *testing.T) {
		r := httptest.NewRequest("OPTIONS", "*", nil)
		require.Equal(t, "*", r.URL.Path)
		w := httptest.NewRecorder()
		newApp().ServeHTTP(w, r)
		assert.Equal(t, http.StatusNoContent, w.Code)
		assert.Equal(t, want, joined(w.Header(), "Allow"))
	})

	t.Run("over a real connection", func(t *testing.T) {
		app := newApp()
		l := listen(t)
		done := make(chan error, 1)
		go func() { done <- app.Serve(l) }()
		t.Cleanup(func() { shutdown(t, app, done) })
		status, header := rawRequest(t, l.Addr().String(), "OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		assert.Equal(t, http.StatusNoContent, status)
		assert.Equal(t, want, joined(header, "Allow"))
	})
}

func TestRoutesRegisteredAfterFirstRequest(t *testing.T) {
	app := microdot.New()
	app.Get("/a", text("a"))
	c := microdot.NewTestClient(app)
	require.Equal(t, "a", c.Get("/a").Text())
	require.Equal(t, http.StatusNotFound, c.Get("/b").StatusCode)
	app.Get("/b", text("b"))
	app.Get("/a/<x>", text("ax"))
	app.Get("/a/new", text("anew")) // conflicts with /a/<x> in httprouter
	assert.Equal(t, "b", c.Get("/b").Text())
	assert.Equal(t, "ax", c.Get("/a/1").Text())
	assert.Equal(t, "anew", c.Get("/a/new").Text())
	assert.Equal(t, "a", c.Get("/a").Text())
}

func TestAppWithNoRoutes(t *testing.T) {
	c := microdot.NewTestClient(microdot.New())
	for _, m := range []string{"GET", "POST", "HEAD", "OPTIONS", "DELETE"} {
		for _, p := range []string{"/", "/x", "/x/y"} {
			res := c.Request(m, p, nil)
			assert.Equal(t, http.StatusNotFound, res.StatusCode, "%s %s", m, p)
			assert.Empty(t, res.Header.Get("Allow"), "%s %s", m, p)
		}
	}
}

// TestMethodShortcuts ports test_method_decorators; methods are upper-cased
// and any token is a method.
func TestMethodShortcuts(t *testing.T) {
	app := microdot.New()
	app.Get("/get", text("GET"))
	app.Post("/post", text("POST"))
	app.Put("/put", text("PUT"))
	app.Patch("/patch", text("PATCH"))
	app.Delete("/delete", text("DELETE"))
	app.Route("/lower", text("lower"), "get", " post ")
	app.Route("/custom", text("PROPFIND"), "PROPFIND")
	app.Route("/default", text("default"))
	c := microdot.NewTestClient(app)
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		res := c.Request(m, "/"+strings.ToLower(m), nil)
		assert.Equal(t, http.StatusOK, res.StatusCode, m)
		assert.Equal(t, m, res.Text())
		assert.Equal(t, http.StatusMethodNotAllowed, c.Request("TRACE", "/"+strings.ToLower(m), nil).StatusCode)
	}
	assert.Equal(t, "lower", c.Get("/lower").Text())
	assert.Equal(t, "lower", c.Post("/lower", nil).Text())
	assert.Equal(t, "GET, POST, HEAD, OPTIONS", joined(c.Put("/lower", nil).Header, "Allow"))
	assert.Equal(t, "PROPFIND", c.Request("PROPFIND", "/custom", nil).Text())
	assert.Equal(t, "default", c.Get("/default").Text())
	assert.Equal(t, http.StatusMethodNotAllowed, c.Post("/default", nil).StatusCode)
}
