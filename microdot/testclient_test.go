package microdot_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/microdot-go/microdot/microdot"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func jarContents(t *testing.T, c *microdot.TestClient, path string) map[string]string {
	t.Helper()
	u, err := url.Parse(c.BaseURL + path)
	require.NoError(t, err)
	out := map[string]string{}
	for _, ck := range c.Jar.Cookies(u) {
		out[ck.Name] = ck.Value
	}
	return out
}

// TestTestClientCookies ports test_cookies: the jar sends its cookies with
// the request's own Cookie header, keeps what the response sets and drops
// what it deletes.
func TestTestClientCookies(t *testing.T) {
	app := microdot.New()
	app.Get("/", func(req *microdot.Request) (*microdot.Response, error) {
		var body string
		for _, name := range []string{"one", "two", "three"} {
			ck, err := req.Cookie(name)
			if err != nil {
				return nil, microdot.Abort(400, "missing cookie "+name)
			}
			body += ck.Value
		}
		res := microdot.Text(body)
		for _, err := range []error{
			res.SetCookie(&http.Cookie{Name: "four", Value: "4"}),
			res.DeleteCookie("two", "/"),
			res.DeleteCookie("one", "/bad"),
			res.DeleteCookie("five", ""),
		} {
			if err != nil {
				return nil, err
			}
		}
		return res, nil
	})
	app.Get("/echo", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Text(req.Header.Get("Cookie")), nil
	})
	c := microdot.NewTestClient(app)
	u, _ := url.Parse(c.BaseURL + "/")
	c.Jar.SetCookies(u, []*http.Cookie{{Name: "one", Value: "1"}, {Name: "two", Value: "2"}, {Name: "five", Value: "5"}})

	res := c.Get("/", "Cookie", "three=3")
	assert.Equal(t, 200, res.StatusCode)
	assert.Equal(t, "text/plain; charset=utf-8", res.Header.Get("Content-Type"))
	assert.Equal(t, "123", res.Text())
	assert.Equal(t, map[string]string{"one": "1", "four": "4"}, jarContents(t, c, "/"))

	// The next request carries what the jar holds now.
	sent := c.Get("/echo").Text()
	assert.Contains(t, sent, "one=1")
	assert.Contains(t, sent, "four=4")
	assert.NotContains(t, sent, "two=")
	assert.NotContains(t, sent, "five=")
}

func TestTestClientBodies(t *testing.T) {
	app := microdot.New()
	app.Route("/echo", func(req *microdot.Request) (*microdot.Response, error) {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		return microdot.Text(req.Method + " " + req.Header.Get("Content-Type") + " " + string(b)), nil
	}, "POST", "PUT", "PATCH")
	app.Post("/dict", func(req *microdot.Request) (*microdot.Response, error) {
		var m map[string]string
		if err := req.DecodeJSON(&m); err != nil {
			return nil, err
		}
		return microdot.Text(m["foo"]), nil
	})
	app.Post("/list", func(req *microdot.Request) (*microdot.Response, error) {
		var l []string
		if err := req.DecodeJSON(&l); err != nil {
			return nil, err
		}
		return microdot.JSON(map[string]any{"first": l[0], "n": len(l)}), nil
	})
	c := microdot.NewTestClient(app)

	tests := []struct {
		name   string
		res    *microdot.TestResponse
		expect string
	}{
		{"string", c.Post("/echo", "abc", "Content-Type", "text/plain"), "POST text/plain abc"},
		{"bytes", c.Put("/echo", []byte{'x', 'y'}), "PUT  xy"},
		{"reader", c.Patch("/echo", strings.NewReader("from a reader")), "PATCH  from a reader"},
		{"JSON value", c.Post("/echo", map[string]int{"a": 1}), `POST application/json {"a":1}`},
		{"nil", c.Post("/echo", nil), "POST  "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, 200, tt.res.StatusCode)
			assert.Equal(t, tt.expect, tt.res.Text())
		})
	}

	// Microdot's test_json_payload.
	assert.Equal(t, "bar", c.Post("/dict", map[string]string{"foo": "bar"}).Text())
	res := c.Post("/list", []string{"foo", "bar"})
	var got struct {
		First string `json:"first"`
		N     int    `json:"n"`
	}
	require.NoError(t, res.DecodeJSON(&got))
	assert.Equal(t, "foo", got.First)
	assert.Equal(t, 2, got.N)
	assert.Error(t, c.Post("/echo", "not json").DecodeJSON(&got))

	_, panicked := panicMessage(func() { c.Post("/echo", make(chan int)) })
	assert.True(t, panicked, "a body that cannot be encoded")
}

// TestTestClientBodyOfUnknownLength: an io.Reader body of unknown length is
// sent as a chunked body would be, so the App's body limit applies to it.
func TestTestClientBodyOfUnknownLength(t *testing.T) {
	var length int64
	app := quietApp()
	app.MaxBodyBytes = 10
	app.Post("/", func(req *microdot.Request) (*microdot.Response, error) {
		length = req.ContentLength
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		return microdot.Text(string(b)), nil
	})
	c := microdot.NewTestClient(app)
	res := c.Post("/", io.MultiReader(strings.NewReader("0123456789x")))
	assert.Equal(t, http.StatusRequestEntityTooLarge, res.StatusCode)
	assert.Equal(t, int64(-1), length)
	res = c.Post("/", io.MultiReader(strings.NewReader("0123456789")))
	assert.Equal(t, "0123456789", res.Text())
	res = c.Post("/", strings.NewReader("0123456789x")) // known length: refused before routing
	assert.Equal(t, http.StatusRequestEntityTooLarge, res.StatusCode)
}

func TestTestClientHeadAndHeaders(t *testing.T) {
	app := microdot.New()
	app.Get("/", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Text("X-Foo=" + strings.Join(req.Header.Values("X-Foo"), ",")), nil
	})
	c := microdot.NewTestClient(app)

	res := c.Head("/")
	assert.Equal(t, 200, res.StatusCode)
	assert.Nil(t, res.Body, "HEAD has no body, as on the wire")
	assert.Equal(t, "text/plain; charset=utf-8", res.Header.Get("Content-Type"))

	res = c.Get("/", "X-Foo", "bar", "X-Foo", "baz")
	assert.NotNil(t, res.Body)
	assert.Equal(t, "X-Foo=bar,baz", res.Text())

	//lint:ignore SA5012 an odd header list is the case under test
	_, panicked := panicMessage(func() { c.Get("/", "X-Foo") })
	assert.True(t, panicked, "headers come in pairs")
}

func TestTestClientWithPlainHandler(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Before", "1")
		if r.URL.Path == "/silent" {
			return
		}
		w.WriteHeader(201)
		w.Header().Set("X-After", "too late") // like a real connection: not sent
		io.WriteString(w, r.Host+" "+r.URL.RequestURI())
	})
	c := microdot.NewTestClient(h)
	res := c.Get("/path?q=1")
	assert.Equal(t, 201, res.StatusCode)
	assert.Equal(t, "example.com /path?q=1", res.Text())
	assert.Equal(t, "1", res.Header.Get("X-Before"))
	assert.Empty(t, res.Header.Get("X-After"))
	assert.Equal(t, 200, c.Get("/silent").StatusCode, "nothing written is a 200")

	c.BaseURL = "https://api.example.org"
	assert.Equal(t, "api.example.org /x", c.Get("/x").Text())
}

// TestTestClientReadsPartOfAnEndlessStream: a request context that ends
// makes the stream's producer stop, as a client leaving would.
func TestTestClientReadsPartOfAnEndlessStream(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stopped := make(chan error, 1)
	app := microdot.New()
	app.Get("/endless", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Stream("text/plain", func(sctx context.Context, w io.Writer) error {
			for i := 0; ; i++ {
				if i == 3 {
					cancel() // the client gives up after three chunks
				}
				if _, err := io.WriteString(w, "chunk\n"); err != nil {
					stopped <- err
					return err
				}
				select {
				case <-sctx.Done():
					stopped <- sctx.Err()
					return sctx.Err()
				case <-time.After(time.Millisecond):
				}
			}
		}), nil
	})
	req, err := http.NewRequestWithContext(ctx, "GET", "/endless", nil)
	require.NoError(t, err)
	done := make(chan *microdot.TestResponse, 1)
	go func() { done <- microdot.NewTestClient(app).Do(req) }()
	res := recv(t, done, "Do to return")
	assert.Error(t, recv(t, stopped, "the producer to stop"))
	assert.Equal(t, 200, res.StatusCode)
	assert.True(t, strings.HasPrefix(res.Text(), "chunk\nchunk\nchunk\n"), res.Text())
}
