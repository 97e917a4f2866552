package login_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/auth"
	"github.com/microdot-go/microdot/microdot/login"
	"github.com/microdot-go/microdot/microdot/session"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const testKey = "866ec558b6c14560bb0930e1fd55068d" // the key of Microdot's tests

type user struct {
	ID, Name string
}

func setup(t *testing.T, load func(*microdot.Request, string) (any, error)) (*microdot.App, *login.Login, *microdot.TestClient) {
	t.Helper()
	app := microdot.New()
	s, err := session.New(app, testKey)
	require.NoError(t, err)
	if load == nil {
		load = func(_ *microdot.Request, id string) (any, error) { return &user{id, "user" + id}, nil }
	}
	lg := login.New(s, load)
	return app, lg, microdot.NewTestClient(app)
}

func setCookies(res *microdot.TestResponse) []*http.Cookie {
	return (&http.Response{Header: res.Header}).Cookies()
}

func hasCookie(c *microdot.TestClient, name string) bool {
	u, _ := url.Parse(c.BaseURL)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == name {
			return true
		}
	}
	return false
}

// Microdot's test_login.
func TestLogin(t *testing.T) {
	app, lg, c := setup(t, nil)
	app.Get("/", lg.Required(func(req *microdot.Request) (*microdot.Response, error) {
		u, err := lg.CurrentUser(req)
		require.NoError(t, err)
		assert.Same(t, u, auth.CurrentUser(req))
		return microdot.Text(u.(*user).Name), nil
	}))
	app.Post("/login", func(req *microdot.Request) (*microdot.Response, error) {
		return lg.LoginUser(req, "123", &user{"123", "user123"}, 0)
	})
	app.Post("/logout", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Text("ok"), lg.LogoutUser(req)
	})

	res := c.Get("/?foo=bar")
	assert.Equal(t, http.StatusFound, res.StatusCode)
	assert.Equal(t, "/login?next=/%3Ffoo%3Dbar", res.Header.Get("Location"))

	res = c.Post("/login?next=/%3Ffoo=bar", nil)
	assert.Equal(t, http.StatusFound, res.StatusCode)
	assert.Equal(t, "/?foo=bar", res.Header.Get("Location"))
	assert.Len(t, res.Header.Values("Set-Cookie"), 1)
	assert.True(t, hasCookie(c, "session"))

	res = c.Get("/")
	assert.Equal(t, 200, res.StatusCode)
	assert.Equal(t, "user123", res.Text())

	assert.Equal(t, 200, c.Post("/logout", nil).StatusCode)
	assert.Equal(t, http.StatusFound, c.Get("/").StatusCode)
}

// Microdot's test_login_bad_user_id: a user that no longer loads is logged out.
func TestLoginBadUserID(t *testing.T) {
	app, lg, c := setup(t, func(*microdot.Request, string) (any, error) { return nil, nil })
	app.Get("/foo", lg.Required(func(*microdot.Request) (*microdot.Response, error) { return microdot.Text("ok"), nil }))
	app.Post("/login", func(req *microdot.Request) (*microdot.Response, error) {
		return lg.LoginUser(req, "1", &user{"1", "user"}, 0)
	})
	res := c.Post("/login?next=/", nil)
	assert.Equal(t, http.StatusFound, res.StatusCode)
	assert.Equal(t, "/", res.Header.Get("Location"))
	res = c.Get("/foo")
	assert.Equal(t, http.StatusFound, res.StatusCode)
	assert.Equal(t, "/login?next=/foo", res.Header.Get("Location"))
}

// Microdot's test_login_bad_redirect, and the open redirects that its
// startswith('/') check lets through.
func TestLoginRedirectsOnlyLocally(t *testing.T) {
	app, lg, c := setup(t, nil)
	app.Post("/login", func(req *microdot.Request) (*microdot.Response, error) {
		return lg.LoginUser(req, "1", &user{"1", "user"}, 0)
	})
	tests := map[string]string{
		"http://example.com":      "/",
		"//evil.example":          "/",
		"/\\evil.example":         "/",
		"/%5Cevil.example":        "/",
		"https:/evil.example":     "/",
		"javascript:alert(1)":     "/",
		"/%0d%0aSet-Cookie:%20x":  "/",
		"":                        "/",
		"/settings":               "/settings",
		"/a/b%3Fc%3Dd":            "/a/b?c=d",
		"/%2F%2Fevil.example":     "/",
		"/ok/..//evil.example":    "/ok/..//evil.example",
		"/search?q=%2F%2Fexample": "/search?q=//example",
	}
	for next, want := range tests {
		res := c.Post("/login?next="+next, nil)
		assert.Equal(t, want, res.Header.Get("Location"), "next=%q", next)
	}
}

func TestLocalPath(t *testing.T) {
	for _, p := range []string{"/", "/a", "/a?b=c", "/a#f", "/ok/..//x"} {
		assert.True(t, login.LocalPath(p), p)
	}
	for _, p := range []string{"", "a", "//x", "/\\x", "\\\\x", "http://x", "/a\nb", "/a\x7f", "https:x"} {
		assert.False(t, login.LocalPath(p), p)
	}
}

// Microdot's test_login_remember.
func TestLoginRemember(t *testing.T) {
	app, lg, c := setup(t, nil)
	app.Get("/", lg.Required(func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.JSON(map[string]string{"user": auth.CurrentUser(req).(*user).ID}), nil
	}))
	app.Post("/login", func(req *microdot.Request) (*microdot.Response, error) {
		return lg.LoginUser(req, "1", &user{"1", "user1"}, login.DefaultRemember)
	})
	app.Post("/logout", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Text("ok"), lg.LogoutUser(req)
	})
	app.Get("/fresh", lg.Fresh(func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Text("fresh " + auth.CurrentUser(req).(*user).ID), nil
	}))

	res := c.Post("/login?next=/%3Ffoo=bar", nil)
	assert.Equal(t, http.StatusFound, res.StatusCode)
	assert.Equal(t, "/?foo=bar", res.Header.Get("Location"))
	cookies := setCookies(res)
	require.Len(t, cookies, 2)
	remember := cookies[1]
	assert.Equal(t, login.RememberCookie, remember.Name)
	assert.Equal(t, 30*24*3600, remember.MaxAge)
	assert.True(t, remember.HttpOnly)
	assert.Equal(t, "/", remember.Path)
	assert.Equal(t, http.SameSiteLaxMode, remember.SameSite)

	assert.JSONEq(t, `{"user":"1"}`, c.Get("/").Text())
	assert.Equal(t, "fresh 1", c.Get("/fresh").Text())

	// The session ends (the browser closes): the remember cookie logs the
	// user in again, but not fresh.
	u, _ := url.Parse(c.BaseURL)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: "session", Value: "", MaxAge: -1}})
	require.False(t, hasCookie(c, "session"))
	res = c.Get("/")
	assert.Equal(t, 200, res.StatusCode)
	assert.Len(t, res.Header.Values("Set-Cookie"), 2, "the session and a renewed remember cookie")
	res = c.Get("/fresh")
	assert.Equal(t, http.StatusFound, res.StatusCode)
	assert.Equal(t, "/login?next=/fresh", res.Header.Get("Location"))

	assert.Equal(t, 200, c.Post("/logout", nil).StatusCode)
	assert.False(t, hasCookie(c, login.RememberCookie))
	assert.Equal(t, http.StatusFound, c.Get("/").StatusCode)
}

// A remember cookie made by a Microdot app with the same key (PyJWT
// encoding, integer user id, "days" and a float "exp") logs the user in.
func TestMicrodotRememberCookie(t *testing.T) {
	app, lg, c := setup(t, nil)
	app.Get("/", lg.Required(func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Text(auth.CurrentUser(req).(*user).ID), nil
	}))
	// {"user_id":1,"days":30,"exp":4102444800.5} signed with testKey.
	const token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyX2lkIjoxLCJkYXlzIjozMCwiZXhwIjo0MTAyNDQ0ODAwLjV9.hWvN-NVfd5yAJUWl8uOsG0Tl27je_5G-sJyVVsK7CII"
	res := c.Get("/", "Cookie", login.RememberCookie+"="+token)
	assert.Equal(t, 200, res.StatusCode)
	assert.Equal(t, "1", res.Text())
}

func TestErrorHandlerReplacesTheRedirect(t *testing.T) {
	app, lg, c := setup(t, nil)
	lg.ErrorHandler = func(*microdot.Request) (*microdot.Response, error) {
		return nil, microdot.Abort(http.StatusUnauthorized, "log in first")
	}
	app.Get("/api", lg.Required(func(*microdot.Request) (*microdot.Response, error) { return microdot.Text("ok"), nil }))
	res := c.Get("/api")
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
	assert.Equal(t, "log in first", res.Text())
}

func TestLoaderErrors(t *testing.T) {
	app, lg, c := setup(t, func(*microdot.Request, string) (any, error) {
		return nil, microdot.Abort(http.StatusServiceUnavailable, "user store down")
	})
	app.Get("/", lg.Required(func(*microdot.Request) (*microdot.Response, error) { return microdot.Text("ok"), nil }))
	app.Post("/login", func(req *microdot.Request) (*microdot.Response, error) {
		return lg.LoginUser(req, "1", &user{"1", "u"}, 0)
	})
	c.Post("/login", nil)
	assert.Equal(t, http.StatusServiceUnavailable, c.Get("/").StatusCode)
}

// Wrong passwords are throttled per client: 429 with Retry-After, and the
// password is not checked any more; other clients log in.
func TestThrottledLogins(t *testing.T) {
	app, lg, c := setup(t, nil)
	var logs bytes.Buffer
	lg.Limiter = auth.NewLimiter(auth.Limit{Failures: 5, Every: time.Hour, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	checked := 0
	app.Post("/login", lg.Throttle(func(req *microdot.Request) (*microdot.Response, error) {
		checked++
		if req.Args().Get("password") != "right" {
			lg.Failed(req)
			return microdot.Text("wrong password").WithStatus(http.StatusUnauthorized), nil
		}
		return lg.LoginUser(req, "1", &user{"1", "u"}, 0)
	}))
	post := func(addr, password string) *microdot.TestResponse {
		req, _ := http.NewRequest(http.MethodPost, "/login?password="+password, nil)
		req.RemoteAddr = addr
		return c.Do(req)
	}
	statuses := map[int]int{}
	for i := range 1000 {
		statuses[post("198.51.100.7:4000", fmt.Sprint("guess", i)).StatusCode]++
	}
	assert.Equal(t, map[int]int{401: 5, 429: 995}, statuses)
	assert.Equal(t, 5, checked)
	res := post("198.51.100.7:4001", "right")
	assert.Equal(t, http.StatusTooManyRequests, res.StatusCode)
	assert.Equal(t, "3600", res.Header.Get("Retry-After"))
	assert.Equal(t, http.StatusFound, post("198.51.100.8:4000", "right").StatusCode)
	assert.Equal(t, 1, strings.Count(logs.String(), "throttling"))
}
