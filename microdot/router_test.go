package microdot_test

import (
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"weak"

	"github.com/microdot-go/microdot/microdot"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPathValueOnEmbeddedRequest: net/http-style code reads the path
// parameters and the pattern from the embedded *http.Request, whatever the
// route set and however the values were matched.
func TestPathValueOnEmbeddedRequest(t *testing.T) {
	echo := func(names ...string) microdot.Handler {
		return func(req *microdot.Request) (*microdot.Response, error) {
			var b strings.Builder
			b.WriteString(req.Request.Pattern)
			for _, n := range names {
				b.WriteString(" " + n + "=" + req.Request.PathValue(n))
			}
			return microdot.Text(b.String()), nil
		}
	}
	app := microdot.New()
	app.Get("/plain/<id>", echo("id"))
	app.Get("/users/<int:id>/posts/:post", echo("id", "post"))
	app.Get("/users/new", echo())
	app.Get("/files/<path:p>/edit", echo("p"))
	app.Get("/static/*rest", echo("rest"))
	app.Get("/static/<re:[a-z]+\\.txt:name>", echo("name"))
	c := microdot.NewTestClient(app)
	tests := map[string]string{
		"/plain/ada":             "/plain/<id> id=ada",
		"/plain/a%2Fb":           "/plain/<id> id=a/b",
		"/users/42/posts/7":      "/users/<int:id>/posts/:post id=42 post=7",
		"/users/new":             "/users/new",
		"/files/a/b/edit":        "/files/<path:p>/edit p=a/b",
		"/static/x/y":            "/static/*rest rest=/x/y",
		"/static/readme.txt":     "/static/*rest rest=/readme.txt",
		"/static/read%20me.txt/": "/static/*rest rest=/read me.txt/",
	}
	for path, want := range tests {
		res := c.Get(path)
		assert.Equal(t, http.StatusOK, res.StatusCode, path)
		assert.Equal(t, want, res.Text(), path)
	}
}

// TestMountHandlerPrefixMustBeStatic: http.StripPrefix strips a fixed
// prefix, so a prefix with a parameter is refused at registration rather
// than accepted and then answered 404 for every request.
func TestMountHandlerPrefixMustBeStatic(t *testing.T) {
	h := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	for _, prefix := range []string{"/x/<id>", "/x/:id", "/x/*rest", "/<int:n>", "/x?y"} {
		msg, panicked := panicMessage(func() { microdot.New().MountHandler(prefix, h) })
		if assert.True(t, panicked, "prefix %q", prefix) {
			assert.Contains(t, msg, "static", prefix)
			assert.Contains(t, msg, prefix, prefix)
		}
	}
}

// TestFailedCandidateValuesDoNotLeak: what a custom converter made of a
// value for a route that then failed to match is not kept by the request
// that a later route serves, even when the Request outlives its request.
func TestFailedCandidateValuesDoNotLeak(t *testing.T) {
	type record struct {
		name string
		_    [64]byte // not a tiny allocation, which may share a block
	}
	var made weak.Pointer[record]
	app := microdot.New()
	app.Converter("rec", microdot.Converter{Parse: func(s string) (any, error) {
		r := &record{name: s}
		made = weak.Make(r)
		return r, nil
	}})
	app.Get("/o/<rec:r>/<int:n>", text("rec"))
	var kept *microdot.Request
	app.Get("/o/<a>/<b>", func(req *microdot.Request) (*microdot.Response, error) {
		kept = req
		return microdot.Text(req.PathValue("a") + " " + req.PathValue("b")), nil
	})
	c := microdot.NewTestClient(app)
	res := c.Get("/o/x/abc")
	require.Equal(t, "x abc", res.Text())
	runtime.GC()
	assert.Nil(t, made.Value(), "the record of the route that failed is still referenced")
	assert.Equal(t, "x", kept.PathValue("a"), "the kept Request keeps its own values")

	app = microdot.New()
	app.Converter("rec", microdot.Converter{Parse: func(s string) (any, error) { return &record{name: s}, nil }})
	app.Get("/p/<rec:r>/<int:n>", text("rec"))
	app.Get("/p/<rec:r>/<path:rest>", func(req *microdot.Request) (*microdot.Response, error) {
		r, _ := req.Param("r").(*record)
		return microdot.Text(r.name + " " + req.PathValue("rest")), nil
	})
	res = microdot.NewTestClient(app).Get("/p/y/abc")
	assert.Equal(t, "y abc", res.Text(), "the serving route has its own value")
}

// TestAllowFromTheTree: 405, Allow and OPTIONS list the methods of the routes
// that match the path, converters included, in a route set that shares
// general paths.
func TestAllowFromTheTree(t *testing.T) {
	app := microdot.New()
	app.Get("/users/<int:id>", text("get"))
	app.Put("/users/<int:id>", text("put"))
	app.Post("/users/new", text("post new"))
	app.Delete("/users/<name>", text("delete"))
	app.Route("/users/<id>/x", text("brew"), "BREW")
	c := microdot.NewTestClient(app)
	tests := []struct {
		method, path string
		status       int
		allow        string
	}{
		{"PATCH", "/users/7", 405, "GET, PUT, DELETE, HEAD, OPTIONS"},
		{"PATCH", "/users/ada", 405, "DELETE, OPTIONS"},
		{"GET", "/users/new", 405, "POST, DELETE, OPTIONS"},
		{"OPTIONS", "/users/new", 204, "POST, DELETE, OPTIONS"},
		{"OPTIONS", "/users/7", 204, "GET, PUT, DELETE, HEAD, OPTIONS"},
		{"GET", "/users/7/x", 405, "BREW, OPTIONS"},
		{"BREW", "/users/7", 405, "GET, PUT, DELETE, HEAD, OPTIONS"},
		{"BREW", "/users/7/x", 200, ""},
		{"UNKNOWN", "/users/7/y", 404, ""},
		{"OPTIONS", "/nowhere", 404, ""},
	}
	for _, tt := range tests {
		res := c.Request(tt.method, tt.path, nil)
		assert.Equal(t, tt.status, res.StatusCode, "%s %s", tt.method, tt.path)
		assert.Equal(t, tt.allow, res.Header.Get("Allow"), "%s %s", tt.method, tt.path)
	}

	// A Request kept after its request still answers Allow.
	var kept *microdot.Request
	app = microdot.New()
	app.Get("/k/<int:id>", func(req *microdot.Request) (*microdot.Response, error) {
		kept = req
		return nil, nil
	})
	app.Post("/k/new", text("new"))
	app.Delete("/k/<name>", text("delete"))
	require.Equal(t, http.StatusNoContent, microdot.NewTestClient(app).Get("/k/7").StatusCode)
	assert.Equal(t, []string{"GET", "DELETE", "HEAD"}, kept.Allow())
}

// The path parameters are on the embedded *http.Request too, so code written
// for net/http reads them as it would under http.ServeMux.
func ExampleRequest_PathValue() {
	describe := func(r *http.Request) string {
		return r.Pattern + ": id " + r.PathValue("id")
	}
	app := microdot.New()
	app.Get("/users/<int:id>", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Text(req.PathValue("id") + " | " + describe(req.Request)), nil
	})
	fmt.Println(microdot.NewTestClient(app).Get("/users/42").Text())
	// Output:
	// 42 | /users/<int:id>: id 42
}
