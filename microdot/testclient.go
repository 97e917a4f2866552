package microdot

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
)

// TestClient drives an http.Handler (usually an App) in memory, with no
// network, keeping cookies between requests as a browser does (Microdot's
// TestClient). Use it in tests:
//
//	c := microdot.NewTestClient(app)
//	res := c.Get("/users/42")
//	if res.StatusCode != 200 { ... }
//
// A TestClient is safe for use by several goroutines.
type TestClient struct {
	// Handler serves the requests.
	Handler http.Handler
	// Jar keeps the cookies that responses set and sends them back.
	Jar http.CookieJar
	// BaseURL is the scheme and host of the requests: "http://example.com"
	// unless changed. Cookies are scoped to it. With an "https" scheme the
	// requests carry a TLS connection state, as they would from a TLS server.
	BaseURL string
}

// NewTestClient returns a TestClient for h with an empty cookie jar.
func NewTestClient(h http.Handler) *TestClient {
	jar, _ := cookiejar.New(nil)
	return &TestClient{Handler: h, Jar: jar, BaseURL: "http://example.com"}
}

// TestResponse is what a TestClient request got back.
type TestResponse struct {
	StatusCode int         // the status the App sent (200 when it sent none)
	Header     http.Header // the response headers, as the client receives them
	Body       []byte      // nil for HEAD requests, as on the wire
}

// Text returns the body as a string.
func (r *TestResponse) Text() string { return string(r.Body) }

// DecodeJSON decodes the body into v.
func (r *TestResponse) DecodeJSON(v any) error { return json.Unmarshal(r.Body, v) }

// Get sends a GET request for path (which may hold a query) with optional
// headers given as name, value pairs.
func (c *TestClient) Get(path string, header ...string) *TestResponse {
	return c.Request(http.MethodGet, path, nil, header...)
}

// Head sends a HEAD request.
func (c *TestClient) Head(path string, header ...string) *TestResponse {
	return c.Request(http.MethodHead, path, nil, header...)
}

// Options sends an OPTIONS request.
func (c *TestClient) Options(path string, header ...string) *TestResponse {
	return c.Request(http.MethodOptions, path, nil, header...)
}

// Delete sends a DELETE request.
func (c *TestClient) Delete(path string, header ...string) *TestResponse {
	return c.Request(http.MethodDelete, path, nil, header...)
}

// Post sends a POST request with body; see Request for the body types.
func (c *TestClient) Post(path string, body any, header ...string) *TestResponse {
	return c.Request(http.MethodPost, path, body, header...)
}

// Put sends a PUT request with body; see Request for the body types.
func (c *TestClient) Put(path string, body any, header ...string) *TestResponse {
	return c.Request(http.MethodPut, path, body, header...)
}

// Patch sends a PATCH request with body; see Request for the body types.
func (c *TestClient) Patch(path string, body any, header ...string) *TestResponse {
	return c.Request(http.MethodPatch, path, body, header...)
}

// Request sends a request with any method. body may be nil, a string, a
// []byte, an io.Reader, or any other value, which is sent as JSON with
// Content-Type application/json (Microdot's rule for dicts and lists).
// header holds name, value pairs; an odd count panics.
func (c *TestClient) Request(method, path string, body any, header ...string) *TestResponse {
	if len(header)%2 != 0 {
		panic("microdot: TestClient: headers must come as name, value pairs")
	}
	var rd io.Reader
	isJSON := false
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	case io.Reader:
		rd = b
	default:
		data, err := json.Marshal(b)
		if err != nil {
			panic(fmt.Sprintf("microdot: TestClient: body cannot be encoded as JSON: %v", err))
		}
		rd, isJSON = bytes.NewReader(data), true
	}
	req, err := http.NewRequestWithContext(context.Background(), method, c.BaseURL+path, rd)
	if err != nil {
		panic(fmt.Sprintf("microdot: TestClient: %v", err))
	}
	if isJSON {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	return c.Do(req)
}

// Do sends req as it is, adding the jar's cookies, and records the cookies
// of the response. Give req a context with a deadline to read part of an
// endless stream: the handler sees the cancellation when it expires.
func (c *TestClient) Do(req *http.Request) *TestResponse {
	if req.URL.Host == "" {
		if base, err := url.Parse(c.BaseURL); err == nil {
			req.URL.Scheme, req.URL.Host = base.Scheme, base.Host
		}
	}
	if req.Host == "" {
		req.Host = req.URL.Host
	}
	if req.URL.Scheme == "https" && req.TLS == nil {
		// As a server fills it in for a request that came over TLS.
		req.TLS = &tls.ConnectionState{Version: tls.VersionTLS13, HandshakeComplete: true, ServerName: req.URL.Hostname()}
	}
	if req.Body == nil {
		req.Body = http.NoBody // as a server guarantees
	} else if req.Body != http.NoBody && req.ContentLength == 0 {
		req.ContentLength = -1 // a reader of unknown length, as on the wire
	}
	if req.RequestURI == "" {
		req.RequestURI = req.URL.RequestURI()
	}
	if c.Jar != nil {
		for _, ck := range c.Jar.Cookies(req.URL) {
			req.AddCookie(ck)
		}
	}
	w := &memoryWriter{header: http.Header{}}
	serve(c.Handler, w, req)
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	res := &TestResponse{StatusCode: w.status, Header: w.sent, Body: w.body.Bytes()}
	if req.Method == http.MethodHead {
		res.Body = nil
	}
	if c.Jar != nil {
		resp := &http.Response{Header: res.Header}
		if cs := resp.Cookies(); len(cs) > 0 {
			c.Jar.SetCookies(req.URL, cs)
		}
	}
	return res
}

// memoryWriter is the in-memory http.ResponseWriter of a TestClient. Like a
// real connection, it fixes the headers when the status is written.
type memoryWriter struct {
	header http.Header
	sent   http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (w *memoryWriter) Header() http.Header { return w.header }

func (w *memoryWriter) WriteHeader(code int) {
	if w.wrote {
		return
	}
	w.wrote = true
	w.status = code
	w.sent = w.header.Clone()
}

func (w *memoryWriter) Write(p []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.body.Write(p)
}

// Flush lets streaming responses flush; the bytes are already in memory.
func (w *memoryWriter) Flush() {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
}

// serve calls h as a server would: a panic with http.ErrAbortHandler, which a
// handler uses to abort a response it has started, ends the request quietly.
func serve(h http.Handler, w http.ResponseWriter, r *http.Request) {
	defer func() {
		if p := recover(); p != nil && p != http.ErrAbortHandler {
			panic(p)
		}
	}()
	h.ServeHTTP(w, r)
}
