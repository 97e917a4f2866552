package microdot_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/microdot-go/microdot/microdot"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// trace records the order in which hooks and handlers run.
type trace []string

func (tr *trace) add(s string)      { *tr = append(*tr, s) }
func (tr *trace) String() string    { return strings.Join(*tr, " ") }
func (tr *trace) reset()            { *tr = nil }
func (tr *trace) has(s string) bool { return strings.Contains(" "+tr.String()+" ", " "+s+" ") }

// beforeAndAfter installs a BeforeRequest and an AfterRequest hook on app
// that add "before" and "after" to tr.
func (tr *trace) beforeAndAfter(app *microdot.App) {
	app.BeforeRequest(func(*microdot.Request) (*microdot.Response, error) {
		tr.add("before")
		return nil, nil
	})
	app.AfterRequest(func(*microdot.Request, *microdot.Response) *microdot.Response {
		tr.add("after")
		return nil
	})
}

func TestBeforeRequestOrderAndShortCircuit(t *testing.T) {
	var tr trace
	app := microdot.New()
	app.BeforeRequest(func(req *microdot.Request) (*microdot.Response, error) {
		tr.add("before1")
		return nil, nil
	})
	app.BeforeRequest(func(req *microdot.Request) (*microdot.Response, error) {
		tr.add("before2")
		switch req.URL.Query().Get("stop") {
		case "response":
			return microdot.Text("stopped").WithStatus(http.StatusForbidden), nil
		case "error":
			return nil, microdot.Abort(http.StatusUnauthorized, "no")
		}
		return nil, nil
	})
	app.BeforeRequest(func(req *microdot.Request) (*microdot.Response, error) {
		tr.add("before3")
		return nil, nil
	})
	app.AfterRequest(func(req *microdot.Request, res *microdot.Response) *microdot.Response {
		tr.add("after1")
		res.Header.Set("X-After", "1")
		return nil
	})
	app.AfterRequest(func(req *microdot.Request, res *microdot.Response) *microdot.Response {
		tr.add("after2")
		return nil
	})
	app.AfterErrorRequest(func(req *microdot.Request, res *microdot.Response) *microdot.Response {
		tr.add("afterError")
		return nil
	})
	app.Get("/", func(req *microdot.Request) (*microdot.Response, error) {
		tr.add("handler")
		return microdot.Text("handler"), nil
	})

	tests := []struct {
		query  string
		status int
		body   string
		trace  string
	}{
		{"", 200, "handler", "before1 before2 before3 handler after1 after2"},
		{"?stop=response", 403, "stopped", "before1 before2 after1 after2"},
		{"?stop=error", 401, "no", "before1 before2 afterError"},
	}
	c := microdot.NewTestClient(app)
	for _, tt := range tests {
		t.Run("GET /"+tt.query, func(t *testing.T) {
			tr.reset()
			res := c.Get("/" + tt.query)
			assert.Equal(t, tt.status, res.StatusCode)
			assert.Equal(t, tt.body, res.Text())
			assert.Equal(t, tt.trace, tr.String())
			if strings.Contains(tt.trace, "after1") {
				assert.Equal(t, "1", res.Header.Get("X-After"))
			}
		})
	}
}

// TestBeforeAfterRequestMicrodot ports test_before_after_request.
func TestBeforeAfterRequestMicrodot(t *testing.T) {
	app := microdot.New()
	barCalled := false
	app.BeforeRequest(func(req *microdot.Request) (*microdot.Response, error) {
		if req.URL.Path == "/bar" {
			req.AfterRequest(func(req *microdot.Request, res *microdot.Response) *microdot.Response {
				res.Header.Set("X-Two", "2")
				return res
			})
			return microdot.Text("bar").WithStatus(202), nil
		}
		req.Set("message", "baz")
		return nil, nil
	})
	app.AfterRequest(func(req *microdot.Request, res *microdot.Response) *microdot.Response {
		res.Header.Set("X-One", "1")
		return nil
	})
	app.AfterRequest(func(req *microdot.Request, res *microdot.Response) *microdot.Response {
		require.NoError(t, res.SetCookie(&http.Cookie{Name: "foo", Value: "bar"}))
		return res
	})
	app.Get("/bar", func(req *microdot.Request) (*microdot.Response, error) {
		barCalled = true
		return microdot.Text("foo"), nil
	})
	app.Get("/baz", func(req *microdot.Request) (*microdot.Response, error) {
		msg, _ := req.Get("message")
		return microdot.Text(msg.(string)), nil
	})
	c := microdot.NewTestClient(app)

	res := c.Get("/bar")
	assert.Equal(t, 202, res.StatusCode)
	assert.Equal(t, "text/plain; charset=utf-8", res.Header.Get("Content-Type"))
	assert.Equal(t, []string{"foo=bar"}, res.Header.Values("Set-Cookie"))
	assert.Equal(t, "1", res.Header.Get("X-One"))
	assert.Equal(t, "2", res.Header.Get("X-Two"))
	assert.Equal(t, "bar", res.Text())
	assert.False(t, barCalled, "the handler is not called after a BeforeRequest response")
	assert.Equal(t, "foo=bar", cookieHeader(c, "/"))

	res = c.Get("/baz")
	assert.Equal(t, 200, res.StatusCode)
	assert.Equal(t, []string{"foo=bar"}, res.Header.Values("Set-Cookie"))
	assert.Equal(t, "1", res.Header.Get("X-One"))
	assert.NotContains(t, res.Header, "X-Two")
	assert.Equal(t, "baz", res.Text())
	// Microdot also checks Content-Length 3 here; the TestClient has no
	// transport that adds it: TestHead checks it over a real connection.
}

// TestAfterErrorRequestMicrodot ports test_after_error_request.
func TestAfterErrorRequestMicrodot(t *testing.T) {
	app := microdot.New()
	app.AfterErrorRequest(func(req *microdot.Request, res *microdot.Response) *microdot.Response {
		res.Header.Set("X-One", "1")
		return nil
	})
	app.AfterErrorRequest(func(req *microdot.Request, res *microdot.Response) *microdot.Response {
		require.NoError(t, res.SetCookie(&http.Cookie{Name: "foo", Value: "bar"}))
		return res
	})
	app.Get("/foo", text("foo"))
	c := microdot.NewTestClient(app)

	res := c.Get("/foo")
	assert.Equal(t, 200, res.StatusCode)
	assert.Equal(t, "text/plain; charset=utf-8", res.Header.Get("Content-Type"))
	assert.NotContains(t, res.Header, "X-One")
	assert.NotContains(t, res.Header, "Set-Cookie")

	res = c.Get("/bar")
	assert.Equal(t, 404, res.StatusCode)
	assert.Equal(t, "text/plain; charset=utf-8", res.Header.Get("Content-Type"))
	assert.Equal(t, []string{"foo=bar"}, res.Header.Values("Set-Cookie"))
	assert.Equal(t, "1", res.Header.Get("X-One"))
	assert.Equal(t, "foo=bar", cookieHeader(c, "/"))
}

// cookieHeader returns the cookies that c's jar would send for path.
func cookieHeader(c *microdot.TestClient, path string) string {
	r, _ := http.NewRequest("GET", c.BaseURL+path, nil)
	var parts []string
	for _, ck := range c.Jar.Cookies(r.URL) {
		parts = append(parts, ck.Name+"="+ck.Value)
	}
	return strings.Join(parts, "; ")
}

func TestRequestAfterRequestRunsLastOnSuccessOnly(t *testing.T) {
	var tr trace
	app := quietApp()
	app.AfterRequest(func(req *microdot.Request, res *microdot.Response) *microdot.Response {
		tr.add("app-after")
		return nil
	})
	app.AfterErrorRequest(func(req *microdot.Request, res *microdot.Response) *microdot.Response {
		tr.add("app-after-error")
		return nil
	})
	app.BeforeRequest(func(req *microdot.Request) (*microdot.Response, error) {
		req.AfterRequest(func(req *microdot.Request, res *microdot.Response) *microdot.Response {
			tr.add("req-after-from-hook")
			return nil
		})
		return nil, nil
	})
	register := func(req *microdot.Request) {
		req.AfterRequest(func(req *microdot.Request, res *microdot.Response) *microdot.Response {
			tr.add("req-after1")
			return nil
		})
		req.AfterRequest(func(req *microdot.Request, res *microdot.Response) *microdot.Response {
			tr.add("req-after2")
			res.Header.Set("X-Req", "2")
			return nil
		})
	}
	app.Get("/ok", func(req *microdot.Request) (*microdot.Response, error) {
		register(req)
		return microdot.Text("ok"), nil
	})
	app.Get("/fail", func(req *microdot.Request) (*microdot.Response, error) {
		register(req)
		return nil, errors.New("failed")
	})
	app.Get("/abort", func(req *microdot.Request) (*microdot.Response, error) {
		register(req)
		return nil, microdot.Abort(http.StatusConflict)
	})
	app.Get("/panic", func(req *microdot.Request) (*microdot.Response, error) {
		register(req)
		panic("boom")
	})
	c := microdot.NewTestClient(app)

	tests := []struct {
		path   string
		status int
		trace  string
	}{
		{"/ok", 200, "app-after req-after-from-hook req-after1 req-after2"},
		{"/fail", 500, "app-after-error"},
		{"/abort", 409, "app-after-error"},
		{"/panic", 500, "app-after-error"},
		{"/ok", 200, "app-after req-after-from-hook req-after1 req-after2"}, // nothing left over from the failures
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			tr.reset()
			res := c.Get(tt.path)
			assert.Equal(t, tt.status, res.StatusCode)
			assert.Equal(t, tt.trace, tr.String())
			if tt.status == 200 {
				assert.Equal(t, "2", res.Header.Get("X-Req"))
			}
		})
	}
}

// TestAfterErrorRequestRunsOnEveryErrorPath: AfterRequest and
// AfterErrorRequest together see every response, exactly one of them.
func TestAfterErrorRequestRunsOnEveryErrorPath(t *testing.T) {
	var tr trace
	var seenStatus int
	app := quietApp()
	app.MaxBodyBytes = 10
	tr.beforeAndAfter(app)
	app.AfterErrorRequest(func(req *microdot.Request, res *microdot.Response) *microdot.Response {
		tr.add("after-error")
		seenStatus = res.StatusCode
		res.Header.Set("X-Error-Hook", "1")
		return nil
	})
	app.Get("/ok", text("ok"))
	app.Post("/ok", text("ok"))
	app.Get("/abort", func(req *microdot.Request) (*microdot.Response, error) {
		return nil, microdot.Abort(http.StatusTeapot)
	})
	app.Get("/error", func(req *microdot.Request) (*microdot.Response, error) {
		return nil, errors.New("plain error")
	})
	app.Get("/panic", func(req *microdot.Request) (*microdot.Response, error) {
		panic("boom")
	})
	app.Post("/json", func(req *microdot.Request) (*microdot.Response, error) {
		var v any
		if err := req.DecodeJSON(&v); err != nil {
			return nil, err // a malformed request: 400
		}
		return microdot.JSON(v), nil
	})

	tests := []struct {
		name         string
		method, path string
		body         any
		status       int
		trace        string
	}{
		{"success", "GET", "/ok", nil, 200, "before after"},
		{"404", "GET", "/missing", nil, 404, "after-error"},
		{"405", "DELETE", "/ok", nil, 405, "after-error"},
		{"413", "POST", "/ok", strings.Repeat("x", 11), 413, "after-error"},
		{"malformed body", "POST", "/json", []byte("{"), 400, "before after-error"},
		{"Abort", "GET", "/abort", nil, 418, "before after-error"},
		{"returned error", "GET", "/error", nil, 500, "before after-error"},
		{"panic", "GET", "/panic", nil, 500, "before after-error"},
		{"automatic OPTIONS", "OPTIONS", "/ok", nil, 204, "after-error"},
		{"OPTIONS on an unknown path", "OPTIONS", "/missing", nil, 404, "after-error"},
	}
	c := microdot.NewTestClient(app)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr.reset()
			seenStatus = 0
			var res *microdot.TestResponse
			if b, ok := tt.body.([]byte); ok {
				res = c.Request(tt.method, tt.path, b, "Content-Type", "application/json")
			} else {
				res = c.Request(tt.method, tt.path, tt.body)
			}
			assert.Equal(t, tt.status, res.StatusCode)
			assert.Equal(t, tt.trace, tr.String())
			if tr.has("after-error") {
				assert.Equal(t, tt.status, seenStatus, "the hook sees the status being sent")
				assert.Equal(t, "1", res.Header.Get("X-Error-Hook"))
			} else {
				assert.Empty(t, res.Header.Get("X-Error-Hook"))
			}
		})
	}
}

func TestAfterFuncReplacesResponse(t *testing.T) {
	app := microdot.New()
	app.AfterRequest(func(req *microdot.Request, res *microdot.Response) *microdot.Response {
		if req.URL.Path == "/replace" {
			return microdot.Text("replaced").WithStatus(http.StatusCreated).SetHeader("X-Replaced", "1")
		}
		if req.URL.Path == "/retype" {
			return microdot.JSON([]int{1})
		}
		if req.URL.Path == "/modify" {
			res.StatusCode = http.StatusAccepted
			res.Header.Set("X-Modified", "1")
		}
		return nil
	})
	app.AfterRequest(func(req *microdot.Request, res *microdot.Response) *microdot.Response {
		// A later hook sees the replacement, with a live header map.
		require.NotNil(t, res.Header)
		res.Header.Set("X-Second", http.StatusText(res.StatusCode))
		return nil
	})
	app.AfterErrorRequest(func(req *microdot.Request, res *microdot.Response) *microdot.Response {
		return microdot.JSON(map[string]int{"error": res.StatusCode}).WithStatus(res.StatusCode)
	})
	app.Get("/replace", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Text("original").SetHeader("X-Original", "1"), nil
	})
	app.Get("/modify", text("original"))
	app.Get("/retype", text("original"))
	c := microdot.NewTestClient(app)

	res := c.Get("/replace")
	assert.Equal(t, http.StatusCreated, res.StatusCode)
	assert.Equal(t, "replaced", res.Text())
	assert.Equal(t, "1", res.Header.Get("X-Replaced"))
	assert.Equal(t, "Created", res.Header.Get("X-Second"))

	res = c.Get("/modify")
	assert.Equal(t, http.StatusAccepted, res.StatusCode)
	assert.Equal(t, "original", res.Text())
	assert.Equal(t, "1", res.Header.Get("X-Modified"))
	assert.Equal(t, "Accepted", res.Header.Get("X-Second"))

	res = c.Get("/retype")
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "[1]", res.Text())
	assert.Equal(t, "application/json", res.Header.Get("Content-Type"), "the replacement's own content type")

	res = c.Get("/missing")
	assert.Equal(t, http.StatusNotFound, res.StatusCode)
	assert.Equal(t, "application/json", res.Header.Get("Content-Type"))
	assert.JSONEq(t, `{"error":404}`, res.Text())
}

func TestOptionsHandler(t *testing.T) {
	type call struct {
		path  string
		allow []string
	}
	var calls []call
	var tr trace
	answer := true
	app := microdot.New()
	app.OptionsHandler(func(req *microdot.Request, res *microdot.Response) bool {
		allow := req.Allow()
		calls = append(calls, call{req.URL.Path, append([]string(nil), allow...)})
		tr.add("options-handler")
		if !answer || req.Header.Get("X-Decline") != "" {
			return false
		}
		require.NotNil(t, res.Header)
		assert.Equal(t, http.StatusNoContent, res.StatusCode)
		res.Header.Set("X-Preflight", strings.Join(allow, ","))
		switch {
		case req.Header.Get("X-Reject") != "":
			res.StatusCode = http.StatusForbidden
		case req.Header.Get("X-OK") != "":
			res.StatusCode = http.StatusOK // an empty 200 stays 200
		}
		return true
	})
	tr.beforeAndAfter(app)
	app.AfterErrorRequest(func(req *microdot.Request, res *microdot.Response) *microdot.Response {
		tr.add("after-error")
		res.Header.Set("X-After-Error", "1")
		return nil
	})
	app.Route("/", text("index"), "GET", "DELETE")
	app.Post("/", text("post"))
	app.Route("/own", func(req *microdot.Request) (*microdot.Response, error) {
		tr.add("options-route")
		return microdot.Text("own"), nil
	}, "OPTIONS", "PUT")
	c := microdot.NewTestClient(app)

	t.Run("answers before routes and BeforeRequest hooks", func(t *testing.T) {
		calls, answer = nil, true
		tr.reset()
		res := c.Options("/own")
		assert.Equal(t, http.StatusNoContent, res.StatusCode)
		assert.Equal(t, "options-handler after-error", tr.String())
		assert.Equal(t, "1", res.Header.Get("X-After-Error"), "its response goes through AfterErrorRequest")
		assert.Equal(t, "OPTIONS,PUT", res.Header.Get("X-Preflight"))
		assert.Empty(t, res.Text())
	})

	t.Run("allow lists", func(t *testing.T) {
		answer = true
		for _, tt := range []struct {
			path  string
			allow []string
		}{
			{"/", []string{"GET", "DELETE", "POST", "HEAD"}},
			{"/own", []string{"OPTIONS", "PUT"}},
			{"/unknown", nil},
		} {
			calls = nil
			res := c.Options(tt.path)
			require.Len(t, calls, 1, tt.path)
			assert.Equal(t, tt.path, calls[0].path)
			if tt.allow == nil {
				assert.Empty(t, calls[0].allow, "no route at %s", tt.path)
				assert.Equal(t, http.StatusNoContent, res.StatusCode, "the handler may answer unknown paths")
			} else {
				assert.Equal(t, tt.allow, calls[0].allow, tt.path)
			}
		}
	})

	t.Run("it may change the status", func(t *testing.T) {
		answer = true
		res := c.Options("/", "X-Reject", "1")
		assert.Equal(t, http.StatusForbidden, res.StatusCode)
		assert.Equal(t, "GET,DELETE,POST,HEAD", res.Header.Get("X-Preflight"))
		res = c.Options("/", "X-OK", "1")
		assert.Equal(t, http.StatusOK, res.StatusCode)
		assert.Empty(t, res.Text())
	})

	t.Run("declining falls through", func(t *testing.T) {
		answer = false
		tests := []struct {
			path   string
			status int
			allow  string
			body   string
			trace  string
		}{
			{"/", 204, "GET, DELETE, POST, HEAD, OPTIONS", "", "options-handler after-error"},
			{"/own", 200, "", "own", "options-handler before options-route after"},
			{"/unknown", 404, "", "Not Found", "options-handler after-error"},
		}
		for _, tt := range tests {
			tr.reset()
			res := c.Options(tt.path)
			assert.Equal(t, tt.status, res.StatusCode, tt.path)
			assert.Equal(t, tt.allow, res.Header.Get("Allow"), tt.path)
			assert.Equal(t, tt.body, res.Text(), tt.path)
			assert.Equal(t, tt.trace, tr.String(), tt.path)
			assert.Empty(t, res.Header.Get("X-Preflight"), "a declining handler leaves res untouched")
		}
	})

	t.Run("not called for other methods", func(t *testing.T) {
		calls, answer = nil, true
		assert.Equal(t, "index", c.Get("/").Text())
		assert.Empty(t, calls)
	})

	t.Run("several handlers: the first that answers wins", func(t *testing.T) {
		app := microdot.New()
		var order []string
		app.OptionsHandler(func(req *microdot.Request, res *microdot.Response) bool {
			order = append(order, "first")
			return false
		})
		app.OptionsHandler(func(req *microdot.Request, res *microdot.Response) bool {
			order = append(order, "second")
			res.Header.Set("X-Who", "second")
			return true
		})
		app.OptionsHandler(func(req *microdot.Request, res *microdot.Response) bool {
			order = append(order, "third")
			return true
		})
		app.Get("/", text("x"))
		res := microdot.NewTestClient(app).Options("/")
		assert.Equal(t, http.StatusNoContent, res.StatusCode)
		assert.Equal(t, "second", res.Header.Get("X-Who"))
		assert.Equal(t, []string{"first", "second"}, order)
	})
}

func TestNilHooksPanic(t *testing.T) {
	app := microdot.New()
	for name, f := range map[string]func(){
		"BeforeRequest":     func() { app.BeforeRequest(nil) },
		"AfterRequest":      func() { app.AfterRequest(nil) },
		"AfterErrorRequest": func() { app.AfterErrorRequest(nil) },
		"OptionsHandler":    func() { app.OptionsHandler(nil) },
		"ErrorHandler":      func() { app.ErrorHandler(404, nil) },
	} {
		msg, panicked := panicMessage(f)
		if assert.True(t, panicked, name) {
			assert.True(t, strings.HasPrefix(msg, "microdot:"), msg)
		}
	}
}

// A replacement from an after hook is sent as it is: neither the replaced
// response's headers nor what earlier hooks set on it carry over.
func TestReplacementDropsReplacedHeaders(t *testing.T) {
	app := microdot.New()
	app.Get("/", func(*microdot.Request) (*microdot.Response, error) {
		return microdot.Text("original").SetHeader("X-Original", "1").SetHeader("Vary", "Accept"), nil
	})
	app.AfterRequest(func(_ *microdot.Request, res *microdot.Response) *microdot.Response {
		res.Header.Set("X-Hook", "1")
		res.Header.Add("Vary", "Origin") // changes the handler's value: it stays
		return nil
	})
	app.AfterRequest(func(*microdot.Request, *microdot.Response) *microdot.Response {
		return microdot.JSON(map[string]bool{"replaced": true})
	})
	res := microdot.NewTestClient(app).Get("/")
	assert.Equal(t, `{"replaced":true}`, res.Text())
	assert.Equal(t, "application/json", res.Header.Get("Content-Type"))
	assert.Empty(t, res.Header.Get("X-Original"), "the replaced response's own header")
	assert.Empty(t, res.Header.Get("X-Hook"), "set on the replaced response")
	assert.Empty(t, res.Header.Values("Vary"))
}
