package microdot_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/microdot-go/microdot/microdot"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestArgs(t *testing.T) {
	var got url.Values
	app := microdot.New()
	app.Get("/", func(req *microdot.Request) (*microdot.Response, error) {
		got = req.Args()
		return nil, nil
	})
	c := microdot.NewTestClient(app)
	tests := []struct {
		query string
		want  url.Values
	}{
		{"", url.Values{}},
		{"?a=1", url.Values{"a": {"1"}}},
		{"?x=1&x=2&y=3", url.Values{"x": {"1", "2"}, "y": {"3"}}},
		{"?q=a+b&r=%41%20c&s=%2B", url.Values{"q": {"a b"}, "r": {"A c"}, "s": {"+"}}},
		{"?flag", url.Values{"flag": {""}}},
		{"?k=&k=v", url.Values{"k": {"", "v"}}},
		{"?caf%C3%A9=%E2%9C%93", url.Values{"café": {"✓"}}},
		{"?ok=1&bad=%zz", url.Values{"ok": {"1"}, "bad": {"%zz"}}}, // a malformed escape is kept as sent
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got = nil
			require.Equal(t, http.StatusNoContent, c.Get("/"+tt.query).StatusCode)
			assert.Equal(t, tt.want, got)
		})
	}
	t.Run("Get returns the first value", func(t *testing.T) {
		c.Get("/?x=first&x=second")
		assert.Equal(t, "first", got.Get("x"))
	})
}

func TestFormValues(t *testing.T) {
	var got url.Values
	app := quietApp()
	app.Post("/", func(req *microdot.Request) (*microdot.Response, error) {
		var err error
		got, err = req.FormValues()
		if err != nil {
			return nil, err
		}
		return microdot.Text("ok"), nil
	})
	c := microdot.NewTestClient(app)

	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	require.NoError(t, mw.WriteField("name", "Ada"))
	require.NoError(t, mw.WriteField("tag", "x"))
	require.NoError(t, mw.WriteField("tag", "y"))
	fw, err := mw.CreateFormFile("file", "a.txt")
	require.NoError(t, err)
	io.WriteString(fw, "file content")
	require.NoError(t, mw.Close())

	tests := []struct {
		name   string
		path   string
		ctype  string
		body   string
		status int
		want   url.Values
	}{
		{"urlencoded", "/", "application/x-www-form-urlencoded", "a=1&a=2&b=x+y&c=%41", 200,
			url.Values{"a": {"1", "2"}, "b": {"x y"}, "c": {"A"}}},
		{"query args are not form values", "/?q=1", "application/x-www-form-urlencoded", "a=1", 200,
			url.Values{"a": {"1"}}},
		{"urlencoded with charset", "/", "application/x-www-form-urlencoded; charset=utf-8", "a=1", 200,
			url.Values{"a": {"1"}}},
		{"multipart", "/", mw.FormDataContentType(), mp.String(), 200,
			url.Values{"name": {"Ada"}, "tag": {"x", "y"}}},
		{"wrong type", "/", "text/plain", "a=1", 415, nil},
		{"JSON is not a form", "/", "application/json", `{"a":1}`, 415, nil},
		{"no type", "/", "", "a=1", 415, nil},
		{"malformed escapes are kept, the other fields too", "/", "application/x-www-form-urlencoded", "x=%2f%%&a=%zz&b=1", 200,
			url.Values{"x": {"/%%"}, "a": {"%zz"}, "b": {"1"}}},
		{"multipart without boundary", "/", "multipart/form-data", "x", 400, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got = nil
			var header []string
			if tt.ctype != "" {
				header = []string{"Content-Type", tt.ctype}
			}
			res := c.Post(tt.path, tt.body, header...)
			assert.Equal(t, tt.status, res.StatusCode, res.Text())
			if tt.status == 200 {
				assert.Equal(t, tt.want, got)
			}
		})
	}
}

func TestDecodeJSON(t *testing.T) {
	type item struct {
		Name string `json:"name"`
		N    int    `json:"n"`
	}
	var got item
	app := quietApp()
	app.MaxBodyBytes = 64
	app.Post("/", func(req *microdot.Request) (*microdot.Response, error) {
		got = item{}
		if err := req.DecodeJSON(&got); err != nil {
			return nil, err
		}
		return microdot.JSON(got), nil
	})
	c := microdot.NewTestClient(app)
	tests := []struct {
		name   string
		ctype  string
		body   string
		chunk  bool // send with an unknown length, as a chunked body
		status int
	}{
		{"ok", "application/json", `{"name":"a","n":1}`, false, 200},
		{"ok with charset", "application/json; charset=utf-8", `{"name":"a","n":1}`, false, 200},
		{"ok +json type", "application/problem+json", `{"name":"a","n":1}`, false, 200},
		{"trailing whitespace", "application/json", "{\"name\":\"a\",\"n\":1}\n\t ", false, 200},
		{"wrong content type", "text/plain", `{"name":"a","n":1}`, false, 415},
		{"no content type", "", `{"name":"a","n":1}`, false, 415},
		{"malformed", "application/json", `{"name":`, false, 400},
		{"wrong field type", "application/json", `{"name":1}`, false, 400},
		{"empty", "application/json", ``, false, 400},
		{"two values", "application/json", `{"name":"a"}{"name":"b"}`, false, 400},
		{"trailing garbage", "application/json", `{"name":"a"} x`, false, 400},
		{"too large, declared", "application/json", `{"name":"` + strings.Repeat("a", 100) + `"}`, false, 413},
		{"too large, chunked", "application/json", `{"name":"` + strings.Repeat("a", 100) + `"}`, true, 413},
		{"small, chunked", "application/json", `{"name":"a","n":1}`, true, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", strings.NewReader(tt.body))
			if tt.chunk {
				r.ContentLength = -1
				r.Body = io.NopCloser(io.MultiReader(strings.NewReader(tt.body)))
			}
			if tt.ctype != "" {
				r.Header.Set("Content-Type", tt.ctype)
			}
			res := c.Do(r)
			assert.Equal(t, tt.status, res.StatusCode, res.Text())
			if tt.status == 200 {
				assert.Equal(t, item{"a", 1}, got)
			}
		})
	}
	t.Run("the reason says what is wrong", func(t *testing.T) {
		res := c.Post("/", "{", "Content-Type", "application/json")
		assert.Equal(t, 400, res.StatusCode)
		assert.NotEqual(t, http.StatusText(400), res.Text())
		assert.NotEmpty(t, res.Text())
	})
}

func TestCookiesFromTheJar(t *testing.T) {
	app := microdot.New()
	app.Get("/set", func(req *microdot.Request) (*microdot.Response, error) {
		res := microdot.Text("set")
		require.NoError(t, res.SetCookie(&http.Cookie{Name: "session", Value: "abc", Path: "/"}))
		return res, nil
	})
	app.Get("/read", func(req *microdot.Request) (*microdot.Response, error) {
		var parts []string
		for _, name := range []string{"session", "extra"} {
			if ck, err := req.Cookie(name); err == nil {
				parts = append(parts, name+"="+ck.Value)
			}
		}
		return microdot.Text(strings.Join(parts, ";")), nil
	})
	c := microdot.NewTestClient(app)
	assert.Equal(t, "", c.Get("/read").Text())
	c.Get("/set")
	assert.Equal(t, "session=abc", c.Get("/read").Text())
	assert.Equal(t, "session=abc;extra=1", c.Get("/read", "Cookie", "extra=1").Text())
}

func TestScratchSpace(t *testing.T) {
	app := microdot.New()
	app.BeforeRequest(func(req *microdot.Request) (*microdot.Response, error) {
		if _, ok := req.Get("user"); ok {
			return microdot.Text("leaked from an earlier request"), nil
		}
		if u := req.URL.Query().Get("user"); u != "" {
			req.Set("user", u)
			req.Set("count", 1)
		}
		return nil, nil
	})
	app.Get("/", func(req *microdot.Request) (*microdot.Response, error) {
		u, ok := req.Get("user")
		if !ok {
			return microdot.Text("anonymous"), nil
		}
		n, _ := req.Get("count")
		req.Set("count", n.(int)+1)
		n, _ = req.Get("count")
		return microdot.Text(fmt.Sprintf("%s %d", u, n)), nil
	})
	c := microdot.NewTestClient(app)
	for i := 0; i < 3; i++ {
		assert.Equal(t, "ada 2", c.Get("/?user=ada").Text())
		assert.Equal(t, "anonymous", c.Get("/").Text(), "the scratch space is per request")
	}
	_, ok := (&microdot.Request{}).Get("x")
	assert.False(t, ok)
}

func TestBodyIsAStream(t *testing.T) {
	t.Run("in memory", func(t *testing.T) {
		app := microdot.New()
		app.Post("/", func(req *microdot.Request) (*microdot.Response, error) {
			b, err := io.ReadAll(req.Body)
			if err != nil {
				return nil, err
			}
			return microdot.Bytes("application/octet-stream", b), nil
		})
		c := microdot.NewTestClient(app)
		assert.Equal(t, []byte{0xff, 0xfe}, c.Post("/", []byte{0xff, 0xfe}).Body) // Microdot's test_binary_payload
	})

	t.Run("read while the client is still sending", func(t *testing.T) {
		firstRead := make(chan string, 1)
		app := microdot.New()
		app.Post("/", func(req *microdot.Request) (*microdot.Response, error) {
			buf := make([]byte, 5)
			if _, err := io.ReadFull(req.Body, buf); err != nil {
				return nil, err
			}
			firstRead <- string(buf)
			rest, err := io.ReadAll(req.Body)
			if err != nil {
				return nil, err
			}
			return microdot.Text(string(buf) + string(rest)), nil
		})
		srv := startServer(t, app)
		pr, pw := io.Pipe()
		done := make(chan *http.Response, 1)
		go func() {
			res, err := client(t).Post(srv.URL+"/", "application/octet-stream", pr)
			if err != nil {
				done <- nil
				return
			}
			done <- res
		}()
		_, err := io.WriteString(pw, "hello")
		require.NoError(t, err)
		// The handler has read the first part before the client sends more.
		assert.Equal(t, "hello", recv(t, firstRead, "the handler's first read"))
		io.WriteString(pw, " world")
		pw.Close()
		res := recv(t, done, "the response")
		require.NotNil(t, res)
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		assert.Equal(t, "hello world", string(body))
	})
}

func TestMaxBodyBytes(t *testing.T) {
	tests := []struct {
		name    string
		limit   int64
		size    int
		chunked bool
		status  int
		called  bool
	}{
		{"declared under the limit", 10, 10, false, 200, true},
		{"declared over the limit: 413 before routing", 10, 11, false, 413, false},
		{"chunked under the limit", 10, 10, true, 200, true},
		{"chunked over the limit: the read fails", 10, 11, true, 413, true},
		{"default limit, at it", 0, microdot.DefaultMaxBodyBytes, false, 200, true},
		{"default limit, over it", 0, microdot.DefaultMaxBodyBytes + 1, false, 413, false},
		{"negative: unlimited", -1, 2*microdot.DefaultMaxBodyBytes + 1, false, 200, true},
		{"negative: unlimited, chunked", -1, 2*microdot.DefaultMaxBodyBytes + 1, true, 200, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var called atomic.Bool
			app := quietApp()
			app.MaxBodyBytes = tt.limit
			app.Post("/", func(req *microdot.Request) (*microdot.Response, error) {
				called.Store(true)
				b, err := io.ReadAll(req.Body)
				if err != nil {
					return nil, err
				}
				return microdot.Text(fmt.Sprint(len(b))), nil
			})
			body := strings.Repeat("x", tt.size)
			r := httptest.NewRequest("POST", "/", strings.NewReader(body))
			if tt.chunked {
				r.ContentLength = -1
				r.Body = io.NopCloser(io.MultiReader(strings.NewReader(body)))
			}
			res := microdot.NewTestClient(app).Do(r)
			assert.Equal(t, tt.status, res.StatusCode)
			assert.Equal(t, tt.called, called.Load(), "handler called")
			if tt.status == 200 {
				assert.Equal(t, fmt.Sprint(tt.size), res.Text())
			}
		})
	}

	t.Run("413 before routing also for unknown paths", func(t *testing.T) {
		app := quietApp()
		app.MaxBodyBytes = 16 * 1024
		app.Get("/", text("foo"))
		// Microdot's test_413: POST /foo with 17000 bytes is 413, not 404.
		res := microdot.NewTestClient(app).Post("/foo", strings.Repeat("x", 17000))
		assert.Equal(t, http.StatusRequestEntityTooLarge, res.StatusCode)
		assert.Equal(t, "request body larger than the limit of 16384 bytes", res.Text())
	})

	t.Run("over a real connection", func(t *testing.T) {
		app := quietApp()
		app.MaxBodyBytes = 1000
		app.Post("/", func(req *microdot.Request) (*microdot.Response, error) {
			_, err := io.ReadAll(req.Body)
			return nil, err
		})
		srv := startServer(t, app)
		// A reader of unknown length: the client sends it chunked.
		body := io.MultiReader(strings.NewReader(strings.Repeat("x", 5000)))
		res, err := client(t).Post(srv.URL+"/", "text/plain", body)
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, 413, res.StatusCode)

		// And with a declared length: answered before the body is read.
		res, err = client(t).Post(srv.URL+"/", "text/plain", strings.NewReader(strings.Repeat("x", 5000)))
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, 413, res.StatusCode)
	})
}

func TestRequestApp(t *testing.T) {
	app := microdot.New()
	var got *microdot.App
	app.Get("/", func(req *microdot.Request) (*microdot.Response, error) {
		got = req.App()
		return nil, nil
	})
	microdot.NewTestClient(app).Get("/")
	assert.Same(t, app, got)
}

// TestScratchIsPerRequest checks that what a request stores with Set is
// gone for the next request, although pooled requests keep their scratch
// map, small or large.
func TestScratchIsPerRequest(t *testing.T) {
	app := microdot.New()
	app.Get("/set/<int:n>", func(req *microdot.Request) (*microdot.Response, error) {
		n, _ := req.ParamInt("n")
		for i := range n {
			req.Set(fmt.Sprint("k", i), i)
		}
		return nil, nil
	})
	app.Get("/get", func(req *microdot.Request) (*microdot.Response, error) {
		for i := range 100 {
			if v, ok := req.Get(fmt.Sprint("k", i)); ok {
				return microdot.Text(fmt.Sprintf("k%d=%v left over", i, v)), nil
			}
		}
		return microdot.Text("clean"), nil
	})
	c := microdot.NewTestClient(app)
	for _, n := range []int{1, 3, 100, 2} {
		require.Equal(t, http.StatusNoContent, c.Get(fmt.Sprint("/set/", n)).StatusCode)
		assert.Equal(t, "clean", c.Get("/get").Text(), "after setting %d keys", n)
	}
}

// failingBody delivers some bytes, then fails, as a connection that breaks
// in the middle of a request body does.
type failingBody struct{ sent bool }

func (b *failingBody) Read(p []byte) (int, error) {
	if !b.sent {
		b.sent = true
		return copy(p, "partial"), nil
	}
	return 0, errors.New("connection reset")
}

func (b *failingBody) Close() error { return nil }

// TestBodyError checks that a body that fails to read surfaces as a
// *BodyError naming the cause, and that a handler returning it answers 400.
func TestBodyError(t *testing.T) {
	var got error
	app := quietApp()
	app.Post("/upload", func(req *microdot.Request) (*microdot.Response, error) {
		_, err := io.ReadAll(req.Body)
		got = err
		return nil, err
	})
	r := httptest.NewRequest(http.MethodPost, "/upload", nil)
	r.Body, r.ContentLength = &failingBody{}, -1
	w := httptest.NewRecorder()
	app.ServeHTTP(w, r)

	assert.Equal(t, http.StatusBadRequest, w.Code)
	var be *microdot.BodyError
	require.ErrorAs(t, got, &be)
	assert.EqualError(t, be, "reading the request body: connection reset")
	assert.EqualError(t, errors.Unwrap(be), "connection reset")
}
