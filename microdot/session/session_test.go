package session_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/session"
)

const testKey = "34fcd06506b843169698c8d25043f03a" // the key of Microdot's tests

func newSession(t *testing.T, app *microdot.App) *session.Session {
	t.Helper()
	s, err := session.New(app, testKey)
	require.NoError(t, err)
	return s
}

func text(s string) (*microdot.Response, error) { return microdot.Text(s), nil }

// name returns the session's "name" as Microdot's tests print it.
func name(data map[string]any, key string) string {
	if v, ok := data[key].(string); ok {
		return v
	}
	return "None"
}

// Microdot's test_session_async.
func TestSessionGetSaveDelete(t *testing.T) {
	app := microdot.New()
	s := newSession(t, app)
	app.Get("/", func(req *microdot.Request) (*microdot.Response, error) {
		first, second := s.Get(req), s.Get(req)
		second["foo"] = "bar"
		assert.Equal(t, "bar", first["foo"], "Get returns the same map within a request")
		return text(name(first, "name"))
	})
	app.Post("/set", func(req *microdot.Request) (*microdot.Response, error) {
		data := s.Get(req)
		data["name"] = "joe"
		return microdot.Text("OK"), s.Save(req, data)
	})
	app.Post("/del", func(req *microdot.Request) (*microdot.Response, error) {
		s.Delete(req)
		return text("OK")
	})
	c := microdot.NewTestClient(app)

	assert.Equal(t, "None", c.Get("/").Text())
	assert.Equal(t, "OK", c.Post("/set", nil).Text())
	assert.Equal(t, "joe", c.Get("/").Text())
	assert.Equal(t, "OK", c.Post("/del", nil).Text())
	assert.Equal(t, "None", c.Get("/").Text())
}

// Microdot's test_session_no_secret_key, where a missing key fails at use;
// here it fails at New, with an error that says how to make one.
func TestNewRefusesShortKeys(t *testing.T) {
	for _, key := range []string{"", "top-secret", strings.Repeat("k", session.MinKeyLength-1)} {
		s, err := session.New(microdot.New(), key)
		require.Error(t, err, "key %q", key)
		assert.Nil(t, s)
		assert.Contains(t, err.Error(), "openssl rand -hex 32")
	}
	_, err := session.New(nil, strings.Repeat("k", session.MinKeyLength))
	assert.NoError(t, err)
}

// Microdot's test_session_default_path and test_session_custom_path.
func TestSessionCookiePath(t *testing.T) {
	tests := []struct {
		name               string
		path               string
		setAt, readAt, del string
		seenAtRoot         string
	}{
		{"default", "", "/", "/child", "/delete", "bar"},
		{"custom", "/child", "/child", "/child/foo", "/child/delete", "None"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := microdot.New()
			s := newSession(t, app)
			if tt.path != "" {
				s.Cookie.Path = tt.path
				s.Cookie.HttpOnly = false
			}
			app.Get(tt.setAt, func(req *microdot.Request) (*microdot.Response, error) {
				return microdot.Text(""), s.Save(req, map[string]any{"foo": "bar"})
			})
			read := func(req *microdot.Request) (*microdot.Response, error) { return text(name(s.Get(req), "foo")) }
			app.Get(tt.readAt, read)
			if tt.readAt != "/" && tt.setAt != "/" {
				app.Get("/", read)
			}
			app.Get(tt.del, func(req *microdot.Request) (*microdot.Response, error) {
				s.Delete(req)
				return text("")
			})
			c := microdot.NewTestClient(app)

			res := c.Get(tt.setAt)
			require.Equal(t, http.StatusOK, res.StatusCode)
			cookie := res.Header.Get("Set-Cookie")
			if tt.path == "" {
				assert.Equal(t, "Path=/; HttpOnly; SameSite=Lax", strings.SplitN(cookie, "; ", 2)[1])
			} else {
				assert.Equal(t, "Path=/child; SameSite=Lax", strings.SplitN(cookie, "; ", 2)[1])
				assert.Equal(t, "None", c.Get("/").Text())
			}
			assert.Equal(t, "bar", c.Get(tt.readAt).Text())
			c.Get(tt.del)
			assert.Equal(t, "None", c.Get(tt.readAt).Text())
		})
	}
}

type microdotTokens struct {
	Key   string `json:"key"`
	Valid map[string]struct {
		Token   string         `json:"token"`
		Payload map[string]any `json:"payload"`
	} `json:"valid"`
	Invalid   map[string]string `json:"invalid"`
	SetCookie string            `json:"set_cookie"`
}

func loadTokens(t *testing.T) microdotTokens {
	t.Helper()
	data, err := os.ReadFile("testdata/microdot_tokens.json")
	require.NoError(t, err)
	var tk microdotTokens
	require.NoError(t, json.Unmarshal(data, &tk))
	return tk
}

// Cookies written by a Microdot app with the same key are read as Microdot
// reads them; tampered, foreign, expired and unsigned ones are empty.
func TestReadsMicrodotCookies(t *testing.T) {
	tk := loadTokens(t)
	app := microdot.New()
	s, err := session.New(app, tk.Key)
	require.NoError(t, err)
	app.Get("/", func(req *microdot.Request) (*microdot.Response, error) { return microdot.JSON(s.Get(req)), nil })
	c := microdot.NewTestClient(app)

	for label, v := range tk.Valid {
		res := c.Get("/", "Cookie", "session="+v.Token)
		var got map[string]any
		require.NoError(t, res.DecodeJSON(&got), label)
		assert.Equal(t, v.Payload, got, label)
	}
	for label, token := range tk.Invalid {
		res := c.Get("/", "Cookie", "session="+token)
		assert.Equal(t, "{}", strings.TrimSpace(res.Text()), label)
	}
	// The cookie exactly as Microdot's Set-Cookie header gives it.
	header := http.Header{"Set-Cookie": {tk.SetCookie}}
	cookies := (&http.Response{Header: header}).Cookies()
	require.Len(t, cookies, 1)
	req, _ := http.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(cookies[0])
	res := c.Do(req)
	assert.JSONEq(t, `{"name":"joe"}`, res.Text())
}

// Cookies written here are JWTs that Microdot (PyJWT) accepts: checked
// without the package, by the HS256 signature and the JSON parts.
func TestWritesMicrodotCookies(t *testing.T) {
	app := microdot.New()
	s := newSession(t, app)
	payload := map[string]any{"_user_id": "123", "_fresh": true, "n": 1.5, "name": "Zoë ☃"}
	app.Post("/", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Text("ok"), s.Save(req, payload)
	})
	res := microdot.NewTestClient(app).Post("/", nil)
	cookies := (&http.Response{Header: res.Header}).Cookies()
	require.Len(t, cookies, 1)
	assert.Equal(t, "session", cookies[0].Name)

	parts := strings.Split(cookies[0].Value, ".")
	require.Len(t, parts, 3)
	mac := hmac.New(sha256.New, []byte(testKey))
	mac.Write([]byte(parts[0] + "." + parts[1]))
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	require.NoError(t, err)
	assert.True(t, hmac.Equal(mac.Sum(nil), sig), "HS256 signature")

	header, err := base64.RawURLEncoding.DecodeString(parts[0])
	require.NoError(t, err)
	assert.JSONEq(t, `{"alg":"HS256","typ":"JWT"}`, string(header))
	body, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var got map[string]any
	require.NoError(t, json.Unmarshal(body, &got))
	assert.Equal(t, payload, got)
}

// Get of any bad cookie is an empty session, never an error page.
func TestBadCookiesAreEmptySessions(t *testing.T) {
	app := microdot.New()
	s := newSession(t, app)
	app.Get("/", func(req *microdot.Request) (*microdot.Response, error) { return microdot.JSON(s.Get(req)), nil })
	c := microdot.NewTestClient(app)
	for _, v := range []string{"", "x", "a.b.c", "...", "eyJhbGciOiJIUzI1NiJ9.e30.", strings.Repeat("A", 5000)} {
		res := c.Get("/", "Cookie", "session="+v)
		assert.Equal(t, http.StatusOK, res.StatusCode, v)
		assert.Equal(t, "{}", strings.TrimSpace(res.Text()), v)
	}
}

func TestSaveRefuses(t *testing.T) {
	app := microdot.New()
	s := newSession(t, app)
	var errs []error
	app.Post("/", func(req *microdot.Request) (*microdot.Response, error) {
		errs = append(errs,
			s.Save(req, map[string]any{"f": func() {}}),
			s.Save(req, map[string]any{"big": strings.Repeat("x", 5000)}),
		)
		return microdot.Text("ok"), nil
	})
	res := microdot.NewTestClient(app).Post("/", nil)
	assert.Empty(t, res.Header.Values("Set-Cookie"), "a refused Save writes nothing")
	require.Len(t, errs, 2)
	assert.ErrorContains(t, errs[0], "cannot encode")
	assert.ErrorContains(t, errs[1], "store less")
}

// Only the last of several Save and Delete calls in a request counts.
func TestLastWriteWins(t *testing.T) {
	app := microdot.New()
	s := newSession(t, app)
	app.Post("/", func(req *microdot.Request) (*microdot.Response, error) {
		require.NoError(t, s.Save(req, map[string]any{"n": 1}))
		s.Delete(req)
		require.NoError(t, s.Save(req, map[string]any{"n": 2}))
		assert.Equal(t, map[string]any{"n": 2}, s.Get(req))
		return text("ok")
	})
	app.Get("/", func(req *microdot.Request) (*microdot.Response, error) { return microdot.JSON(s.Get(req)), nil })
	c := microdot.NewTestClient(app)
	res := c.Post("/", nil)
	assert.Len(t, res.Header.Values("Set-Cookie"), 1)
	assert.JSONEq(t, `{"n":2}`, c.Get("/").Text())
}

// A session signed by another replica with the same key is shared.
func TestReplicasShareSessions(t *testing.T) {
	apps := []*microdot.App{microdot.New(), microdot.New()}
	for i, app := range apps {
		s := newSession(t, app)
		app.Post("/", func(req *microdot.Request) (*microdot.Response, error) {
			return microdot.Text("ok"), s.Save(req, map[string]any{"replica": float64(i)})
		})
		app.Get("/", func(req *microdot.Request) (*microdot.Response, error) { return microdot.JSON(s.Get(req)), nil })
	}
	c := microdot.NewTestClient(apps[0])
	c.Post("/", nil)
	c.Handler = apps[1]
	assert.JSONEq(t, `{"replica":0}`, c.Get("/").Text())
}

// Two Sessions with different cookies keep apart within a request.
func TestTwoSessions(t *testing.T) {
	app := microdot.New()
	a, b := newSession(t, app), newSession(t, app)
	b.Cookie.Name = "prefs"
	app.Post("/", func(req *microdot.Request) (*microdot.Response, error) {
		if err := a.Save(req, map[string]any{"user": "susan"}); err != nil {
			return nil, err
		}
		return microdot.Text("ok"), b.Save(req, map[string]any{"theme": "dark"})
	})
	app.Get("/", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.JSON([]map[string]any{a.Get(req), b.Get(req)}), nil
	})
	c := microdot.NewTestClient(app)
	assert.Len(t, c.Post("/", nil).Header.Values("Set-Cookie"), 2)
	assert.JSONEq(t, `[{"user":"susan"},{"theme":"dark"}]`, c.Get("/").Text())
}
