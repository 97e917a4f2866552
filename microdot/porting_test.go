package microdot_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/microdot-go/microdot/microdot"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Gaps that a port from Microdot ran into: request.json read twice, a form
// sent with GET, a malformed escape in a form, request.scheme, and
// delete_cookie with attributes.

func TestDecodeJSONTwice(t *testing.T) {
	app := quietApp()
	app.BeforeRequest(func(req *microdot.Request) (*microdot.Response, error) {
		var v struct{ Name string }
		if err := req.DecodeJSON(&v); err != nil {
			return nil, err
		}
		req.Set("hook", v.Name)
		return nil, nil
	})
	app.Post("/", func(req *microdot.Request) (*microdot.Response, error) {
		var v map[string]any
		if err := req.DecodeJSON(&v); err != nil {
			return nil, err
		}
		hook, _ := req.Get("hook")
		return microdot.Text(hook.(string) + " " + v["name"].(string)), nil
	})
	c := microdot.NewTestClient(app)
	res := c.Post("/", map[string]string{"name": "Ada"})
	require.Equal(t, 200, res.StatusCode, res.Text())
	assert.Equal(t, "Ada Ada", res.Text())

	// A body too large is still a 413 on the first call.
	app2 := quietApp()
	app2.MaxBodyBytes = 8
	app2.Post("/", func(req *microdot.Request) (*microdot.Response, error) {
		var v any
		return nil, req.DecodeJSON(&v)
	})
	res = microdot.NewTestClient(app2).Post("/", strings.NewReader(`{"name":"a long name"}`), "Content-Type", "application/json")
	assert.Equal(t, http.StatusRequestEntityTooLarge, res.StatusCode)
}

func TestFormValuesAnyMethod(t *testing.T) {
	app := quietApp()
	app.Route("/", func(req *microdot.Request) (*microdot.Response, error) {
		form, err := req.FormValues()
		if err != nil {
			return nil, err
		}
		again, err := req.FormValues()
		if err != nil {
			return nil, err
		}
		return microdot.Text(form.Get("a") + "|" + again.Get("a")), nil
	}, "GET", "POST", "DELETE")
	c := microdot.NewTestClient(app)
	for _, method := range []string{"GET", "POST", "DELETE"} {
		res := c.Request(method, "/", "a=1", "Content-Type", "application/x-www-form-urlencoded")
		assert.Equal(t, 200, res.StatusCode, method)
		assert.Equal(t, "1|1", res.Text(), method)
	}
}

func TestArgsLenient(t *testing.T) {
	tests := []struct {
		query string
		want  url.Values
	}{
		{"x=%2f%%", url.Values{"x": {"/%%"}}},
		{"a=1&b=%zz&c=%4", url.Values{"a": {"1"}, "b": {"%zz"}, "c": {"%4"}}},
		{"a+b=c+d&e", url.Values{"a b": {"c d"}, "e": {""}}},
		{"a=1;b=2&c=3", url.Values{"c": {"3"}}},
		{"&&a=1&", url.Values{"a": {"1"}}},
	}
	for _, tt := range tests {
		var got url.Values
		app := quietApp()
		app.Get("/", func(req *microdot.Request) (*microdot.Response, error) {
			got = req.Args()
			return nil, nil
		})
		req, err := http.NewRequest("GET", "/", nil)
		require.NoError(t, err)
		req.URL.RawQuery = tt.query
		microdot.NewTestClient(app).Do(req)
		assert.Equal(t, tt.want, got, tt.query)
	}
}

func TestScheme(t *testing.T) {
	app := quietApp()
	app.Get("/", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Text(req.Scheme()), nil
	})
	c := microdot.NewTestClient(app)
	assert.Equal(t, "http", c.Get("/").Text())
	c.BaseURL = "https://device.local"
	assert.Equal(t, "https", c.Get("/").Text())
	// Forwarded headers are not trusted.
	c.BaseURL = "http://device.local"
	assert.Equal(t, "http", c.Get("/", "X-Forwarded-Proto", "https").Text())
}

func TestExpireCookie(t *testing.T) {
	res := microdot.Text("")
	c := &http.Cookie{Name: "sid", Value: "secret", Path: "/", Domain: "example.com",
		HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode, MaxAge: 3600}
	require.NoError(t, res.ExpireCookie(c))
	got := res.Header.Get("Set-Cookie")
	for _, want := range []string{"sid=;", "Path=/", "Domain=example.com", "Expires=Thu, 01 Jan 1970 00:00:01 GMT",
		"Max-Age=0", "HttpOnly", "Secure", "SameSite=Strict"} {
		assert.Contains(t, got, want)
	}
	assert.Equal(t, "secret", c.Value, "the caller's cookie is not changed")
	assert.Error(t, res.ExpireCookie(nil))
	assert.Error(t, res.ExpireCookie(&http.Cookie{Name: "a;b"}))

	res = microdot.Text("")
	require.NoError(t, res.DeleteCookie("sid", "/"))
	assert.Equal(t, "sid=; Path=/; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0", res.Header.Get("Set-Cookie"))
}
