package microdot_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/microdot-go/microdot/microdot"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestResponseBuilders(t *testing.T) {
	tests := []struct {
		name   string
		res    func() *microdot.Response
		status int
		ctype  string
		body   string
	}{
		{"Text", func() *microdot.Response { return microdot.Text("héllo") }, 200, "text/plain; charset=utf-8", "héllo"},
		{"HTML", func() *microdot.Response { return microdot.HTML("<p>x</p>") }, 200, "text/html; charset=utf-8", "<p>x</p>"},
		{"JSON object", func() *microdot.Response { return microdot.JSON(map[string]string{"foo": "bar"}) }, 200, "application/json", `{"foo":"bar"}`},
		{"JSON list", func() *microdot.Response { return microdot.JSON([]string{"foo", "bar"}) }, 200, "application/json", `["foo","bar"]`},
		{"JSON null", func() *microdot.Response { return microdot.JSON(nil) }, 200, "application/json", `null`},
		{"Bytes", func() *microdot.Response { return microdot.Bytes("application/octet-stream", []byte{0xff, 0xfe}) }, 200, "application/octet-stream", "\xff\xfe"},
		{"Bytes default type", func() *microdot.Response { return microdot.Bytes("", []byte("x")) }, 200, "application/octet-stream", "x"},
		{"Bytes image", func() *microdot.Response { return microdot.Bytes("image/png", []byte("png")) }, 200, "image/png", "png"},
		{"nil", func() *microdot.Response { return nil }, 204, "", ""},
		{"status only", func() *microdot.Response { return &microdot.Response{StatusCode: 201} }, 201, "", ""},
		{"zero Response", func() *microdot.Response { return &microdot.Response{} }, 204, "", ""},
		{"explicit empty 200", func() *microdot.Response { return &microdot.Response{StatusCode: 200} }, 200, "", ""},
		{"status only with header", func() *microdot.Response {
			return (&microdot.Response{StatusCode: 202}).SetHeader("X-A", "1")
		}, 202, "", ""},
		{"WithStatus", func() *microdot.Response { return microdot.Text("two").WithStatus(202) }, 202, "text/plain; charset=utf-8", "two"},
		{"JSON WithStatus", func() *microdot.Response { return microdot.JSON(1).WithStatus(201) }, 201, "application/json", "1"},
		{"own Content-Type wins", func() *microdot.Response {
			return microdot.Text("<p>three</p>").SetHeader("Content-Type", "text/html")
		}, 200, "text/html", "<p>three</p>"},
		{"error status with body", func() *microdot.Response { return microdot.Text("nope").WithStatus(418) }, 418, "text/plain; charset=utf-8", "nope"},
		{"204 drops the body", func() *microdot.Response { return microdot.Text("x").WithStatus(204) }, 204, "text/plain; charset=utf-8", ""},
		{"304 drops the body", func() *microdot.Response { return microdot.Text("x").WithStatus(304) }, 304, "text/plain; charset=utf-8", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := microdot.New()
			app.Get("/", func(req *microdot.Request) (*microdot.Response, error) { return tt.res(), nil })
			w := record(app, "GET", "/", nil)
			assert.Equal(t, tt.status, w.Code)
			assert.Equal(t, tt.ctype, w.Header().Get("Content-Type"))
			assert.Equal(t, tt.body, w.Body.String())
		})
	}
}

func TestResponseHeaders(t *testing.T) {
	app := microdot.New()
	app.Get("/", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Text("x").
			SetHeader("X-Set", "1").SetHeader("X-Set", "2").
			AddHeader("X-Add", "a").AddHeader("X-Add", "b").
			SetHeader("x-lower", "canonical"), nil
	})
	app.Get("/fields", func(req *microdot.Request) (*microdot.Response, error) {
		return &microdot.Response{StatusCode: 203, Header: http.Header{"X-Field": {"f"}}}, nil
	})
	c := microdot.NewTestClient(app)
	res := c.Get("/")
	assert.Equal(t, []string{"2"}, res.Header.Values("X-Set"))
	assert.Equal(t, []string{"a", "b"}, res.Header.Values("X-Add"))
	assert.Equal(t, "canonical", res.Header.Get("X-Lower"))
	res = c.Get("/fields")
	assert.Equal(t, 203, res.StatusCode)
	assert.Equal(t, "f", res.Header.Get("X-Field"))
}

func TestUnencodableJSONIs500(t *testing.T) {
	for name, v := range map[string]any{
		"channel": make(chan int),
		"NaN":     math.NaN(),
		"func":    map[string]any{"f": func() {}},
	} {
		t.Run(name, func(t *testing.T) {
			app, logs := loggedApp()
			var hooked int
			app.AfterErrorRequest(func(req *microdot.Request, res *microdot.Response) *microdot.Response {
				hooked = res.StatusCode
				return nil
			})
			app.Get("/", func(req *microdot.Request) (*microdot.Response, error) { return microdot.JSON(v), nil })
			w := record(app, "GET", "/", nil)
			assert.Equal(t, 500, w.Code)
			assert.Equal(t, "Internal Server Error", w.Body.String())
			assert.Equal(t, 500, hooked, "the 500 goes through the error path")
			assert.Contains(t, logs.String(), "json")
		})
	}
}

func TestRedirect(t *testing.T) {
	tests := []struct {
		name     string
		res      func() *microdot.Response
		status   int
		location string
	}{
		{"default 302", func() *microdot.Response { return microdot.Redirect("/x") }, 302, "/x"},
		{"301", func() *microdot.Response { return microdot.Redirect("/x", 301) }, 301, "/x"},
		{"303", func() *microdot.Response { return microdot.Redirect("https://example.org/a?b=c", 303) }, 303, "https://example.org/a?b=c"},
		{"307", func() *microdot.Response { return microdot.Redirect("/x", 307) }, 307, "/x"},
		{"308", func() *microdot.Response { return microdot.Redirect("/x", 308) }, 308, "/x"},
		{"CR LF refused", func() *microdot.Response { return microdot.Redirect("/x\r\nSet-Cookie: evil=1") }, 500, ""},
		{"LF refused", func() *microdot.Response { return microdot.Redirect("/x\nX: y") }, 500, ""},
		{"CR refused", func() *microdot.Response { return microdot.Redirect("/x\rX: y") }, 500, ""},
		{"NUL refused", func() *microdot.Response { return microdot.Redirect("/x\x00") }, 500, ""},
		{"empty refused", func() *microdot.Response { return microdot.Redirect("") }, 500, ""},
		{"200 refused", func() *microdot.Response { return microdot.Redirect("/x", 200) }, 500, ""},
		{"404 refused", func() *microdot.Response { return microdot.Redirect("/x", 404) }, 500, ""},
		{"400-range refused", func() *microdot.Response { return microdot.Redirect("/x", 400) }, 500, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := quietApp()
			app.Get("/", func(req *microdot.Request) (*microdot.Response, error) { return tt.res(), nil })
			w := record(app, "GET", "/", nil)
			assert.Equal(t, tt.status, w.Code)
			assert.Equal(t, tt.location, w.Header().Get("Location"))
			assert.Empty(t, w.Header().Values("Set-Cookie"))
			if tt.status != 500 {
				assert.Empty(t, w.Body.String())
			}
		})
	}
}

func TestSetCookie(t *testing.T) {
	expires := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	valid := []struct {
		name   string
		cookie *http.Cookie
		want   string
	}{
		{"plain", &http.Cookie{Name: "foo", Value: "bar"}, "foo=bar"},
		{"attributes", &http.Cookie{Name: "s", Value: "v", Path: "/app", Domain: "example.com", MaxAge: 60,
			Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode},
			"s=v; Path=/app; Domain=example.com; Max-Age=60; HttpOnly; Secure; SameSite=Strict"},
		{"expires", &http.Cookie{Name: "e", Value: "1", Expires: expires}, "e=1; Expires=Wed, 02 Jan 2030 03:04:05 GMT"},
		{"empty value", &http.Cookie{Name: "e", Value: ""}, "e="},
	}
	for _, tt := range valid {
		t.Run(tt.name, func(t *testing.T) {
			res := microdot.Text("x")
			require.NoError(t, res.SetCookie(tt.cookie))
			assert.Equal(t, []string{tt.want}, res.Header.Values("Set-Cookie"))
		})
	}

	invalid := []struct {
		name   string
		cookie *http.Cookie
	}{
		{"nil", nil},
		{"';' in value", &http.Cookie{Name: "a", Value: "b;c"}},
		{"CR LF in value", &http.Cookie{Name: "a", Value: "b\r\nSet-Cookie: x=y"}},
		{"LF in value", &http.Cookie{Name: "a", Value: "b\nc"}},
		{"CR in value", &http.Cookie{Name: "a", Value: "b\rc"}},
		{"';' in path", &http.Cookie{Name: "a", Value: "b", Path: "/;x"}},
		{"CR LF in path", &http.Cookie{Name: "a", Value: "b", Path: "/\r\nx"}},
		{"';' in domain", &http.Cookie{Name: "a", Value: "b", Domain: "example.com;x"}},
		{"CR LF in domain", &http.Cookie{Name: "a", Value: "b", Domain: "example.com\r\n"}},
		{"empty name", &http.Cookie{Name: "", Value: "b"}},
		{"space in name", &http.Cookie{Name: "a b", Value: "c"}},
		{"'=' in name", &http.Cookie{Name: "a=b", Value: "c"}},
		{"';' in name", &http.Cookie{Name: "a;b", Value: "c"}},
		{"CR LF in name", &http.Cookie{Name: "a\r\nb", Value: "c"}},
		{"quote in value", &http.Cookie{Name: "a", Value: `b"c`}},
	}
	for _, tt := range invalid {
		t.Run(tt.name, func(t *testing.T) {
			res := microdot.Text("x")
			err := res.SetCookie(tt.cookie)
			assert.Error(t, err)
			assert.Empty(t, res.Header.Values("Set-Cookie"), "nothing is added")
		})
	}

	t.Run("several cookies", func(t *testing.T) {
		res := microdot.Text("x")
		require.NoError(t, res.SetCookie(&http.Cookie{Name: "a", Value: "1"}))
		require.NoError(t, res.SetCookie(&http.Cookie{Name: "b", Value: "2"}))
		assert.Equal(t, []string{"a=1", "b=2"}, res.Header.Values("Set-Cookie"))
	})
}

func TestDeleteCookie(t *testing.T) {
	res := microdot.Text("x")
	require.NoError(t, res.DeleteCookie("session", "/"))
	require.NoError(t, res.DeleteCookie("other", ""))
	sc := res.Header.Values("Set-Cookie")
	require.Len(t, sc, 2)
	parsed, err := http.ParseSetCookie(sc[0])
	require.NoError(t, err)
	assert.Equal(t, "session", parsed.Name)
	assert.Equal(t, "", parsed.Value)
	assert.Equal(t, "/", parsed.Path)
	assert.Equal(t, -1, parsed.MaxAge, "Max-Age=0 on the wire")
	assert.Contains(t, sc[0], "Max-Age=0")
	assert.True(t, parsed.Expires.Before(time.Unix(86400, 0)), "expired: %s", parsed.Expires)
	assert.NotContains(t, sc[1], "Path=")

	for _, name := range []string{"", "a b", "a;b", "a\r\nb"} {
		res := microdot.Text("x")
		assert.Error(t, res.DeleteCookie(name, "/"), "name %q", name)
		assert.Empty(t, res.Header.Values("Set-Cookie"))
	}
	assert.Error(t, microdot.Text("x").DeleteCookie("a", "/;x"))
}

func TestFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
		return p
	}
	css := write("site.css", "body { color: red }")
	htmlFile := write("page.html", "<p>hi</p>")
	bin := write("data.unknownext", "0123456789")
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub"), 0o755))

	app := quietApp()
	app.Get("/file/<name>", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.File(filepath.Join(dir, req.PathValue("name"))), nil
	})
	app.Get("/typed", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.File(bin).SetHeader("Content-Type", "text/csv"), nil
	})
	_ = css
	_ = htmlFile
	c := microdot.NewTestClient(app)

	tests := []struct {
		path   string
		header []string
		status int
		ctype  string
		body   string
	}{
		{"/file/site.css", nil, 200, "text/css", "body { color: red }"},
		{"/file/page.html", nil, 200, "text/html", "<p>hi</p>"},
		{"/file/data.unknownext", nil, 200, "application/octet-stream", "0123456789"},
		{"/file/missing.txt", nil, 404, "text/plain", "Not Found"},
		{"/file/sub", nil, 404, "text/plain", "Not Found"}, // a directory is not sent
		{"/typed", nil, 200, "text/csv", "0123456789"},
		{"/file/data.unknownext", []string{"Range", "bytes=2-5"}, 206, "application/octet-stream", "2345"},
		{"/file/data.unknownext", []string{"Range", "bytes=-3"}, 206, "application/octet-stream", "789"},
		{"/file/data.unknownext", []string{"Range", "bytes=20-30"}, 416, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.path+strings.Join(tt.header, ":"), func(t *testing.T) {
			res := c.Get(tt.path, tt.header...)
			assert.Equal(t, tt.status, res.StatusCode)
			assert.True(t, strings.HasPrefix(res.Header.Get("Content-Type"), tt.ctype), "Content-Type %q", res.Header.Get("Content-Type"))
			if tt.body != "" {
				assert.Equal(t, tt.body, res.Text())
			}
			if tt.status == 206 {
				assert.NotEmpty(t, res.Header.Get("Content-Range"))
			}
		})
	}

	t.Run("unreadable file is 403", func(t *testing.T) {
		if runtime.GOOS == "windows" || os.Geteuid() == 0 {
			t.Skip("file permissions do not stop this user")
		}
		write("locked.txt", "locked")
		require.NoError(t, os.Chmod(filepath.Join(dir, "locked.txt"), 0))
		res := c.Get("/file/locked.txt")
		assert.Equal(t, 403, res.StatusCode)
		assert.NotContains(t, res.Text(), "locked")
	})

	t.Run("HEAD", func(t *testing.T) {
		w := record(app, "HEAD", "/file/data.unknownext", nil)
		assert.Equal(t, 200, w.Code)
		assert.Equal(t, "10", w.Header().Get("Content-Length"))
		assert.Zero(t, w.Body.Len())
	})

	t.Run("conditional request", func(t *testing.T) {
		first := c.Get("/file/site.css")
		lm := first.Header.Get("Last-Modified")
		require.NotEmpty(t, lm)
		res := c.Get("/file/site.css", "If-Modified-Since", lm)
		assert.Equal(t, 304, res.StatusCode)
		assert.Empty(t, res.Text())
	})

	t.Run("missing file goes to the 404 handler", func(t *testing.T) {
		app := quietApp()
		app.ErrorHandler(404, func(req *microdot.Request, err error) (*microdot.Response, error) {
			return microdot.Text("custom 404").WithStatus(404), nil
		})
		app.Get("/", func(req *microdot.Request) (*microdot.Response, error) {
			return microdot.File(filepath.Join(dir, "nope")), nil
		})
		res := microdot.NewTestClient(app).Get("/")
		assert.Equal(t, 404, res.StatusCode)
		assert.Equal(t, "custom 404", res.Text())
	})
}

// staticTree builds root/ with files and, next to it, a secret that
// StaticFiles must never serve.
func staticTree(t *testing.T) (root string, secret string) {
	t.Helper()
	base := t.TempDir()
	root = filepath.Join(base, "public")
	files := map[string]string{
		"index.html":         "<h1>home</h1>",
		"css/site.css":       "body{}",
		"sub/index.html":     "<h1>sub</h1>",
		"noindex/file.txt":   "no index here",
		"with space.txt":     "spaced",
		"deep/er/est/x.json": `{"x":1}`,
	}
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	secret = "TOP SECRET CONTENT"
	require.NoError(t, os.WriteFile(filepath.Join(base, "secret.txt"), []byte(secret), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(base, "secretdir"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(base, "secretdir", "index.html"), []byte(secret), 0o644))
	if runtime.GOOS != "windows" {
		require.NoError(t, os.Symlink(filepath.Join(base, "secret.txt"), filepath.Join(root, "abs-link.txt")))
		require.NoError(t, os.Symlink("../secret.txt", filepath.Join(root, "rel-link.txt")))
		require.NoError(t, os.Symlink("../secretdir", filepath.Join(root, "dir-link")))
		require.NoError(t, os.Symlink("css/site.css", filepath.Join(root, "inside-link.css")))
	}
	return root, secret
}

func TestStaticFiles(t *testing.T) {
	root, secret := staticTree(t)
	app := quietApp()
	app.Get("/static/<path:path>", microdot.StaticFiles(root))
	app.Get("/s/*file", microdot.StaticFiles(root))
	c := microdot.NewTestClient(app)

	served := []struct {
		path, ctype, body string
	}{
		{"/static/index.html", "text/html", "<h1>home</h1>"},
		{"/static/css/site.css", "text/css", "body{}"},
		{"/static/deep/er/est/x.json", "application/json", `{"x":1}`},
		{"/static/with%20space.txt", "text/plain", "spaced"},
		{"/static/sub/", "text/html", "<h1>sub</h1>"},
		{"/s/", "text/html", "<h1>home</h1>"},
		{"/s/css/site.css", "text/css", "body{}"},
		{"/s/sub/", "text/html", "<h1>sub</h1>"},
	}
	if runtime.GOOS != "windows" {
		served = append(served, struct{ path, ctype, body string }{"/static/inside-link.css", "text/css", "body{}"})
	}
	for _, tt := range served {
		t.Run("serves "+tt.path, func(t *testing.T) {
			res := c.Get(tt.path)
			assert.Equal(t, 200, res.StatusCode)
			assert.True(t, strings.HasPrefix(res.Header.Get("Content-Type"), tt.ctype), res.Header.Get("Content-Type"))
			assert.Equal(t, tt.body, res.Text())
		})
	}

	// As http.FileServer does, a directory's URL gets its trailing slash
	// (so that relative links in its index.html resolve inside it).
	redirects := []struct{ path, location string }{
		{"/static/sub", "/static/sub/"},
		{"/static/sub?x=1", "/static/sub/?x=1"},
		{"/s/sub", "/s/sub/"},
		{"/static/noindex", "/static/noindex/"},
		{"/static/deep/er", "/static/deep/er/"},
	}
	for _, tt := range redirects {
		t.Run("redirects "+tt.path, func(t *testing.T) {
			res := c.Get(tt.path)
			assert.Equal(t, http.StatusMovedPermanently, res.StatusCode)
			assert.Equal(t, tt.location, resolve(t, tt.path, res.Header.Get("Location")))
		})
	}

	refused := []string{
		"/static/missing.txt",
		"/static/noindex/", // a directory without index.html: no listing
		"/static/../secret.txt",
		"/static/css/../../secret.txt",
		"/static/%2e%2e/secret.txt",
		"/static/%2E%2E/secret.txt",
		"/static/..%2fsecret.txt",
		"/static/%2e%2e%2fsecret.txt",
		"/static/css/%2e%2e/%2e%2e/secret.txt",
		"/static/..%5csecret.txt",
		"/static/..\\secret.txt",
		"/static/css\\..\\..\\secret.txt",
		"/static//etc/passwd",
		"/static/%2fetc%2fpasswd",
		"/static/" + escapeSlashes(secretPath(root)),
		"/static/abs-link.txt",
		"/static/rel-link.txt",
		"/static/dir-link",
		"/static/dir-link/index.html",
		"/static/index.html%00.txt",
		"/s/../secret.txt",
		"/s/%2e%2e/secret.txt",
		"/s//etc/passwd",
		"/s/rel-link.txt",
		"/s/dir-link/",
	}
	for _, p := range refused {
		t.Run("refuses "+p, func(t *testing.T) {
			res := c.Get(p)
			assert.Equal(t, 404, res.StatusCode)
			assert.NotContains(t, res.Text(), secret)
			assert.NotContains(t, res.Text(), "root:")
		})
	}

	t.Run("over a real connection", func(t *testing.T) {
		srv := startServer(t, app)
		for _, p := range []string{"/static/../secret.txt", "/static/%2e%2e/secret.txt", "/static/..%2fsecret.txt", "/static/rel-link.txt"} {
			status, body := rawGet(t, srv.Listener.Addr().String(), p)
			assert.Equal(t, 404, status, p)
			assert.NotContains(t, body, secret, p)
		}
		status, body := rawGet(t, srv.Listener.Addr().String(), "/static/css/site.css")
		assert.Equal(t, 200, status)
		assert.Equal(t, "body{}", body)
	})

	t.Run("redirect behind a stripped prefix", func(t *testing.T) {
		// The App sees /static/sub; the client asked for /assets/static/sub.
		outer := microdot.New()
		outer.MountHandler("/assets", app)
		res := microdot.NewTestClient(outer).Get("/assets/static/sub")
		assert.Equal(t, http.StatusMovedPermanently, res.StatusCode)
		assert.Equal(t, "/assets/static/sub/", resolve(t, "/assets/static/sub", res.Header.Get("Location")))
		res = microdot.NewTestClient(http.StripPrefix("/assets", app)).Get("/assets/s/sub")
		assert.Equal(t, "/assets/s/sub/", resolve(t, "/assets/s/sub", res.Header.Get("Location")))
	})

	t.Run("missing root panics", func(t *testing.T) {
		_, panicked := panicMessage(func() { microdot.StaticFiles(filepath.Join(root, "does-not-exist")) })
		assert.True(t, panicked)
	})
}

// resolve returns the path (and query) that location leads to from the
// request target reqPath, as a browser would resolve it.
func resolve(t *testing.T, reqPath, location string) string {
	t.Helper()
	base, err := url.Parse("http://example.com" + reqPath)
	require.NoError(t, err)
	loc, err := url.Parse(location)
	require.NoError(t, err)
	return base.ResolveReference(loc).RequestURI()
}

// secretPath returns the absolute path of the secret next to root.
func secretPath(root string) string {
	return filepath.ToSlash(filepath.Join(filepath.Dir(root), "secret.txt"))
}

func escapeSlashes(p string) string { return strings.ReplaceAll(p, "/", "%2F") }

// rawGet sends a GET for target exactly as written (no client-side path
// cleaning) and returns the status and body.
func rawGet(t *testing.T, addr, target string) (int, string) {
	t.Helper()
	conn, err := netDial(addr)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(waitFor)))
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", target)
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

func TestStreamInMemory(t *testing.T) {
	// Microdot's test_streaming: the chunks make up the body.
	app := microdot.New()
	app.Get("/", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Stream("text/plain; charset=utf-8", func(ctx context.Context, w io.Writer) error {
			io.WriteString(w, "foo")
			w.Write([]byte("bar"))
			return nil
		}), nil
	})
	res := microdot.NewTestClient(app).Get("/")
	assert.Equal(t, 200, res.StatusCode)
	assert.Equal(t, "text/plain; charset=utf-8", res.Header.Get("Content-Type"))
	assert.Equal(t, "foobar", res.Text())

	t.Run("HEAD does not run the producer", func(t *testing.T) {
		ran := false
		app := microdot.New()
		app.Get("/", func(req *microdot.Request) (*microdot.Response, error) {
			return microdot.Stream("text/plain", func(ctx context.Context, w io.Writer) error {
				ran = true
				return nil
			}), nil
		})
		w := record(app, "HEAD", "/", nil)
		assert.Equal(t, 200, w.Code)
		assert.Zero(t, w.Body.Len())
		assert.False(t, ran)
	})

	t.Run("nil producer is a 500", func(t *testing.T) {
		app := quietApp()
		app.Get("/", func(req *microdot.Request) (*microdot.Response, error) {
			return microdot.Stream("text/plain", nil), nil
		})
		assert.Equal(t, 500, microdot.NewTestClient(app).Get("/").StatusCode)
	})

	t.Run("a producer error is logged", func(t *testing.T) {
		app, logs := loggedApp()
		app.Get("/", func(req *microdot.Request) (*microdot.Response, error) {
			return microdot.Stream("text/plain", func(ctx context.Context, w io.Writer) error {
				io.WriteString(w, "partial")
				return errors.New("camera unplugged")
			}), nil
		})
		res := microdot.NewTestClient(app).Get("/")
		assert.Equal(t, 200, res.StatusCode)
		assert.Equal(t, "partial", res.Text())
		assert.Contains(t, logs.String(), "camera unplugged")
	})
}

// TestStreamIsFlushed reads the first chunk of a stream over a real
// connection while the producer is still blocked: each Write is flushed.
func TestStreamIsFlushed(t *testing.T) {
	release := make(chan struct{})
	produced := make(chan struct{})
	app := microdot.New()
	app.Get("/", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Stream("text/event-stream", func(ctx context.Context, w io.Writer) error {
			defer close(produced)
			if _, err := io.WriteString(w, "data: first\n\n"); err != nil {
				return err
			}
			select {
			case <-release:
			case <-ctx.Done():
				return ctx.Err()
			}
			_, err := io.WriteString(w, "data: second\n\n")
			return err
		}), nil
	})
	srv := startServer(t, app)
	res, err := client(t).Get(srv.URL + "/")
	require.NoError(t, err)
	defer res.Body.Close()
	assert.Equal(t, 200, res.StatusCode)
	assert.Equal(t, "text/event-stream", res.Header.Get("Content-Type"))
	assert.Empty(t, res.Header.Get("Content-Length"))

	br := bufio.NewReader(res.Body)
	lines := make(chan string, 1)
	go func() {
		l, _ := br.ReadString('\n')
		lines <- l
	}()
	assert.Equal(t, "data: first\n", recv(t, lines, "the first chunk, before the producer is released"))
	close(release)
	rest, err := io.ReadAll(br)
	require.NoError(t, err)
	assert.Equal(t, "\ndata: second\n\n", string(rest))
	closed(t, produced, "the producer to return")
}

// TestStreamStopsWhenClientLeaves: the producer's ctx is cancelled when the
// client disconnects, the producer and the handler return, and nothing is
// left running.
func TestStreamStopsWhenClientLeaves(t *testing.T) {
	producerDone := make(chan error, 1)
	handlerDone := make(chan struct{}, 1)
	started := make(chan struct{})
	app := microdot.New()
	app.Get("/", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Stream("text/plain", func(ctx context.Context, w io.Writer) error {
			close(started)
			tick := time.NewTicker(5 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-ctx.Done():
					producerDone <- ctx.Err()
					return ctx.Err()
				case <-tick.C:
					if _, err := io.WriteString(w, "tick\n"); err != nil {
						// A failed write also ends the stream; ctx must be cancelled by now or soon.
						<-ctx.Done()
						producerDone <- ctx.Err()
						return err
					}
				}
			}
		}), nil
	})
	wrapped := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		app.ServeHTTP(w, r)
		handlerDone <- struct{}{}
	})
	srv := startServer(t, wrapped)
	before := runtime.NumGoroutine()

	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/", nil)
	res, err := client(t).Do(req)
	require.NoError(t, err)
	closed(t, started, "the producer to start")
	line, err := bufio.NewReader(res.Body).ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "tick\n", line)
	cancel() // the client goes away
	res.Body.Close()

	assert.ErrorIs(t, recv(t, producerDone, "the producer to see the cancellation"), context.Canceled)
	recv(t, handlerDone, "ServeHTTP to return")
	// Goroutines settle back (the server's connection goroutine ends too).
	deadline := time.Now().Add(waitFor)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	assert.LessOrEqual(t, runtime.NumGoroutine(), before, "goroutines left behind")
}

// TestMJPEGStream serves a multipart/x-mixed-replace stream as Microdot's
// examples/streaming/video_stream.py does and reads it back frame by frame
// with mime/multipart over a real connection.
func TestMJPEGStream(t *testing.T) {
	frames := [][]byte{
		{0xff, 0xd8, 0xff, 0xe0, 1, 0xff, 0xd9},
		{0xff, 0xd8, 0xff, 0xe0, 2, 2, 0xff, 0xd9},
		{0xff, 0xd8, 0xff, 0xe0, 3, 3, 3, 0xff, 0xd9},
	}
	next := make(chan struct{})
	stopped := make(chan struct{})
	app := microdot.New()
	app.Get("/video_feed", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Stream("multipart/x-mixed-replace; boundary=frame", func(ctx context.Context, w io.Writer) error {
			defer close(stopped)
			if _, err := io.WriteString(w, "--frame\r\n"); err != nil {
				return err
			}
			for i := 0; ; i++ {
				f := frames[i%len(frames)]
				part := fmt.Sprintf("Content-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n%s\r\n--frame\r\n", len(f), f)
				if _, err := io.WriteString(w, part); err != nil {
					return err
				}
				select { // the next frame only when the test asks for it
				case <-next:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
		}), nil
	})
	srv := startServer(t, app)
	res, err := client(t).Get(srv.URL + "/video_feed")
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, 200, res.StatusCode)
	mt, params, err := mime.ParseMediaType(res.Header.Get("Content-Type"))
	require.NoError(t, err)
	assert.Equal(t, "multipart/x-mixed-replace", mt)
	require.Equal(t, "frame", params["boundary"])

	mr := multipart.NewReader(res.Body, params["boundary"])
	for i := 0; i < 2*len(frames); i++ {
		type result struct {
			ctype string
			data  []byte
			err   error
		}
		got := make(chan result, 1)
		go func() {
			p, err := mr.NextPart()
			if err != nil {
				got <- result{err: err}
				return
			}
			data, err := io.ReadAll(p)
			got <- result{p.Header.Get("Content-Type"), data, err}
		}()
		r := recv(t, got, fmt.Sprintf("frame %d", i))
		require.NoError(t, r.err)
		assert.Equal(t, "image/jpeg", r.ctype)
		assert.Equal(t, frames[i%len(frames)], r.data, "frame %d", i)
		if i < 2*len(frames)-1 {
			select {
			case next <- struct{}{}:
			case <-time.After(waitFor):
				require.FailNow(t, "the producer did not wait for the next frame")
			}
		}
	}
	res.Body.Close()
	closed(t, stopped, "the producer to stop after the client left")
}

// TestPanicAfterStreamStartedAbortsTheResponse: once the status is sent, a
// panic cannot become a 500; the connection is cut so the client does not
// take a truncated body for a complete one.
func TestPanicAfterStreamStartedAbortsTheResponse(t *testing.T) {
	app := quietApp()
	app.Get("/", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Stream("text/plain", func(ctx context.Context, w io.Writer) error {
			io.WriteString(w, "partial\n")
			panic("mid-stream")
		}), nil
	})
	app.Get("/ok", text("ok"))
	srv := startServer(t, app)
	res, err := client(t).Get(srv.URL + "/")
	require.NoError(t, err)
	assert.Equal(t, 200, res.StatusCode)
	_, err = io.ReadAll(res.Body)
	res.Body.Close()
	assert.Error(t, err, "the body must end with an error, not a clean EOF")

	ok, err := client(t).Get(srv.URL + "/ok")
	require.NoError(t, err)
	body, _ := io.ReadAll(ok.Body)
	ok.Body.Close()
	assert.Equal(t, "ok", string(body), "the server keeps serving")
}

// TestFailedResponseLeaksNoHeaders: when a handler's response cannot be sent
// (JSON that does not encode, a missing file), the error response carries
// none of its headers.
func TestFailedResponseLeaksNoHeaders(t *testing.T) {
	tests := []struct {
		name   string
		res    func() *microdot.Response
		status int
	}{
		{"unencodable JSON", func() *microdot.Response { return microdot.JSON(make(chan int)) }, 500},
		{"missing file", func() *microdot.Response {
			return microdot.File(filepath.Join(t.TempDir(), "missing"))
		}, 404},
		{"bad redirect", func() *microdot.Response { return microdot.Redirect("/x\r\n") }, 500},
	}
	t.Run("an AfterRequest hook panics after the handler set headers", func(t *testing.T) {
		app := quietApp()
		app.AfterRequest(func(req *microdot.Request, res *microdot.Response) *microdot.Response { panic("hook") })
		app.Get("/", func(req *microdot.Request) (*microdot.Response, error) {
			res := microdot.JSON(1).SetHeader("Cache-Control", "max-age=60")
			require.NoError(t, res.SetCookie(&http.Cookie{Name: "leak", Value: "1"}))
			return res, nil
		})
		res := microdot.NewTestClient(app).Get("/")
		assert.Equal(t, 500, res.StatusCode)
		assert.Empty(t, res.Header.Get("Cache-Control"))
		assert.Empty(t, res.Header.Values("Set-Cookie"))
		assert.Equal(t, "text/plain; charset=utf-8", res.Header.Get("Content-Type"))
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := quietApp()
			app.Get("/", func(req *microdot.Request) (*microdot.Response, error) {
				res := tt.res().SetHeader("X-Leak", "1")
				require.NoError(t, res.SetCookie(&http.Cookie{Name: "leak", Value: "1"}))
				return res, nil
			})
			res := microdot.NewTestClient(app).Get("/")
			assert.Equal(t, tt.status, res.StatusCode)
			assert.Empty(t, res.Header.Get("X-Leak"))
			assert.Empty(t, res.Header.Values("Set-Cookie"))
			assert.Equal(t, "text/plain; charset=utf-8", res.Header.Get("Content-Type"))
		})
	}
}
