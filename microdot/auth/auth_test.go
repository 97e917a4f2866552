package auth_test

import (
	"encoding/base64"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/auth"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func basicHeader(creds string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(creds))
}

func checkFooBar(_ *microdot.Request, username, password string) (any, error) {
	if username == "foo" && password == "bar" {
		return map[string]string{"username": username}, nil
	}
	return nil, nil
}

func currentName(req *microdot.Request) (*microdot.Response, error) {
	u, _ := auth.CurrentUser(req).(map[string]string)
	return microdot.Text(u["username"]), nil
}

// Microdot's test_basic_auth and test_basic_optional_auth.
func TestBasicAuth(t *testing.T) {
	app := microdot.New()
	basic := auth.NewBasic(checkFooBar)
	app.Get("/", basic.Required(currentName))
	app.Get("/optional", basic.Optional(currentName))
	c := microdot.NewTestClient(app)

	tests := []struct {
		path, header string
		status       int
		body         string
	}{
		{"/", "", 401, ""},
		{"/", basicHeader("foo:bar"), 200, "foo"},
		{"/", basicHeader("foo:baz"), 401, ""},
		{"/", "basic " + base64.StdEncoding.EncodeToString([]byte("foo:bar")), 200, "foo"},
		{"/", "Basic !!!", 401, ""},
		{"/", basicHeader("foobar"), 401, ""},
		{"/", "Bearer foo", 401, ""},
		{"/optional", "", 200, ""},
		{"/optional", basicHeader("foo:bar"), 200, "foo"},
		{"/optional", basicHeader("foo:baz"), 200, ""},
	}
	for _, tt := range tests {
		var res *microdot.TestResponse
		if tt.header == "" {
			res = c.Get(tt.path)
		} else {
			res = c.Get(tt.path, "Authorization", tt.header)
		}
		assert.Equal(t, tt.status, res.StatusCode, "%s %q", tt.path, tt.header)
		if tt.status == 200 {
			assert.Equal(t, tt.body, res.Text())
		} else {
			assert.Equal(t, `Basic realm="Please login", charset="UTF-8"`, res.Header.Get("WWW-Authenticate"))
		}
	}
}

func TestBasicAuthSettings(t *testing.T) {
	app := microdot.New()
	basic := auth.NewBasic(checkFooBar)
	basic.Realm, basic.Charset, basic.Scheme, basic.ErrorStatus = "Camera", "ISO-8859-1", "Custom", http.StatusForbidden
	app.Get("/", basic.Required(currentName))
	res := microdot.NewTestClient(app).Get("/")
	assert.Equal(t, http.StatusForbidden, res.StatusCode)
	assert.Equal(t, `Custom realm="Camera", charset="ISO-8859-1"`, res.Header.Get("WWW-Authenticate"))
}

func checkFoo(_ *microdot.Request, token string) (any, error) {
	if token == "foo" {
		return "user", nil
	}
	return nil, nil
}

func currentString(req *microdot.Request) (*microdot.Response, error) {
	u, _ := auth.CurrentUser(req).(string)
	return microdot.Text(u), nil
}

// Microdot's test_token_auth, test_token_optional_auth and
// test_token_auth_custom_header.
func TestTokenAuth(t *testing.T) {
	app := microdot.New()
	token := auth.NewToken(checkFoo)
	custom := auth.NewToken(checkFoo)
	custom.Header = "X-Auth-Token"
	app.Get("/", token.Required(currentString))
	app.Get("/optional", token.Optional(currentString))
	app.Get("/custom", custom.Required(currentString))
	c := microdot.NewTestClient(app)

	tests := []struct {
		path   string
		header []string
		status int
		body   string
	}{
		{"/", nil, 401, ""},
		{"/", []string{"Authorization", "Basic foo"}, 401, ""},
		{"/", []string{"Authorization", "invalid"}, 401, ""},
		{"/", []string{"Authorization", "Bearer "}, 401, ""},
		{"/", []string{"Authorization", "Bearer foo"}, 200, "user"},
		{"/", []string{"Authorization", "bearer  foo "}, 200, "user"},
		{"/optional", nil, 200, ""},
		{"/optional", []string{"Authorization", "Basic foo"}, 200, ""},
		{"/optional", []string{"Authorization", "foo"}, 200, ""},
		{"/optional", []string{"Authorization", "Bearer bar"}, 200, ""},
		{"/optional", []string{"Authorization", "Bearer foo"}, 200, "user"},
		{"/custom", nil, 401, ""},
		{"/custom", []string{"Authorization", "Basic foo"}, 401, ""},
		{"/custom", []string{"Authorization", "foo"}, 401, ""},
		{"/custom", []string{"Authorization", "Bearer foo"}, 401, ""},
		{"/custom", []string{"X-Token-Auth", "Bearer foo"}, 401, ""},
		{"/custom", []string{"X-Auth-Token", "foo"}, 200, "user"},
		{"/custom", []string{"x-auth-token", "foo"}, 200, "user"},
	}
	for _, tt := range tests {
		res := c.Get(tt.path, tt.header...)
		assert.Equal(t, tt.status, res.StatusCode, "%s %q", tt.path, tt.header)
		assert.Equal(t, tt.body, map[bool]string{true: res.Text(), false: ""}[tt.status == 200])
	}
}

// Microdot's errorhandler: a custom failure response.
func TestCustomErrorHandlers(t *testing.T) {
	app := microdot.New()
	token := auth.NewToken(checkFoo)
	token.Header = "X-Auth-Token"
	token.ErrorHandler = func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.JSON(map[string]int{"status_code": 403}).WithStatus(http.StatusForbidden), nil
	}
	basic := auth.NewBasic(checkFooBar)
	basic.ErrorHandler = func(req *microdot.Request) (*microdot.Response, error) {
		return nil, microdot.Abort(http.StatusTeapot, "no tea for you")
	}
	app.Get("/token", token.Required(currentString))
	app.Get("/basic", basic.Required(currentName))
	c := microdot.NewTestClient(app)

	res := c.Get("/token")
	assert.Equal(t, http.StatusForbidden, res.StatusCode)
	assert.JSONEq(t, `{"status_code":403}`, res.Text())
	res = c.Get("/basic", "Authorization", basicHeader("foo:baz"))
	assert.Equal(t, http.StatusTeapot, res.StatusCode)
	assert.Equal(t, "no tea for you", res.Text())
}

// An error from the check function is the response; it is not a failed
// attempt and does not reach the handler.
func TestCheckErrors(t *testing.T) {
	app := microdot.New()
	basic := auth.NewBasic(func(*microdot.Request, string, string) (any, error) {
		return nil, errors.New("user database unreachable")
	})
	ran := false
	app.Get("/", basic.Required(func(*microdot.Request) (*microdot.Response, error) {
		ran = true
		return microdot.Text("ok"), nil
	}))
	res := microdot.NewTestClient(app).Get("/", "Authorization", basicHeader("foo:bar"))
	assert.Equal(t, http.StatusInternalServerError, res.StatusCode)
	assert.False(t, ran)
}

func TestCurrentUserWithoutAuthentication(t *testing.T) {
	app := microdot.New()
	app.Get("/", func(req *microdot.Request) (*microdot.Response, error) {
		assert.Nil(t, auth.CurrentUser(req))
		auth.SetCurrentUser(req, "x")
		assert.Equal(t, "x", auth.CurrentUser(req))
		return microdot.Text("ok"), nil
	})
	require.Equal(t, 200, microdot.NewTestClient(app).Get("/").StatusCode)
}

func TestParseBasic(t *testing.T) {
	tests := []struct {
		header     string
		user, pass string
		ok         bool
	}{
		{basicHeader("foo:bar"), "foo", "bar", true},
		{basicHeader("foo:"), "foo", "", true},
		{basicHeader(":bar"), "", "bar", true},
		{basicHeader("foo:b:a:r"), "foo", "b:a:r", true},
		{"BASIC " + base64.StdEncoding.EncodeToString([]byte("a:b")), "a", "b", true},
		{basicHeader("nocolon"), "", "", false},
		{"Basic " + base64.StdEncoding.EncodeToString([]byte("a:\xff")), "", "", false},
		{"Basic", "", "", false},
		{"Basic ***", "", "", false},
		{"Bearer " + base64.StdEncoding.EncodeToString([]byte("a:b")), "", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		u, p, ok := auth.ParseBasic(tt.header)
		assert.Equal(t, tt.ok, ok, tt.header)
		if ok {
			assert.Equal(t, tt.user, u)
			assert.Equal(t, tt.pass, p)
		}
	}
}
