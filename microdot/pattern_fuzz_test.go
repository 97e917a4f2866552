package microdot_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/microdot-go/microdot/microdot"
)

// isStaticPattern reports whether pattern has no parameter: no '<' or '>'
// and no segment that starts with ':' or '*' (inside a segment they are text).
func isStaticPattern(pattern string) bool {
	if strings.ContainsAny(pattern, "<>") {
		return false
	}
	for _, seg := range strings.Split(pattern, "/") {
		if strings.HasPrefix(seg, ":") || strings.HasPrefix(seg, "*") {
			return false
		}
	}
	return true
}

// FuzzPattern registers any string as a pattern, beside a fixed set of
// routes that conflict with many shapes. Registration either panics with a
// "microdot:" message or succeeds; then serving any request target never
// panics, and a static pattern serves its own path.
func FuzzPattern(f *testing.F) {
	for _, seed := range []struct{ pattern, target string }{
		{"/", "/"},
		{"/users/<int:id>", "/users/12"},
		{"/users/new", "/users/new"},
		{"/a/<path:p>/edit", "/a/b/c/edit"},
		{"/x/<re:(a|b)c:n>/<m>", "/x/ac/zz"},
		{"/t/<re:a:b:id>", "/t/a:b"},
		{"/static/*filepath", "/static/css/x.css"},
		{"/h/:name", "/h/bob"},
		{"/lit/a:b*c", "/lit/a:b*c"},
		{"/foo//bar/", "/foo//bar/"},
		{"/my docs/<name>", "/my%20docs/a%2Fb"},
		{"/<path:p>/*rest", "/a/b/c"},
		{"/<a>/<a>", "/x/y"},
		{"/<foo", "/<foo"},
		{"users", "/users"},
		{"/<re:[a-:x>", "/a"},
		{"/é/ü", "/%C3%A9/%C3%BC"},
		{"/a%20b", "/a%2520b"},
		{"/<re:.*:x>/y", "//y"},
		{"/files/*rest", "*"},
		{"/x", "http://example.com"},
	} {
		f.Add(seed.pattern, seed.target)
	}
	f.Fuzz(func(t *testing.T, pattern, target string) {
		app := microdot.New()
		handler := func(req *microdot.Request) (*microdot.Response, error) {
			return microdot.Text("fuzzed"), nil
		}
		msg, panicked := panicMessage(func() { app.Route(pattern, handler, "GET", "POST") })
		if panicked {
			if !strings.HasPrefix(msg, "microdot:") {
				t.Fatalf("pattern %q: panic without the microdot: prefix: %s", pattern, msg)
			}
			return
		}
		// Routes that share positions with many patterns. One that matches
		// the same paths as the fuzzed pattern ("/<a>" after "/<A>") is
		// refused as a duplicate; nothing else may panic.
		for _, p := range []string{"/<a>", "/<a>/<b>", "/users/<int:id>", "/users/new", "/files/*rest", "/p/<path:p>/end"} {
			msg, panicked := panicMessage(func() { app.Get(p, text(p)) })
			duplicate := msg == "microdot: route GET "+p+" is registered twice" ||
				msg == "microdot: route GET "+p+" (the same paths as "+pattern+") is registered twice"
			if panicked && !duplicate {
				t.Fatalf("pattern %q: registering %s afterwards panicked: %s", pattern, p, msg)
			}
		}

		// Any request target, as the server would parse it.
		for _, method := range []string{"GET", "HEAD", "POST", "OPTIONS", "DELETE"} {
			u, err := url.ParseRequestURI(target)
			if err != nil {
				break
			}
			r := &http.Request{Method: method, URL: u, RequestURI: target, Header: http.Header{},
				Body: http.NoBody, Host: "example.com", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
			if msg, panicked := panicMessage(func() { app.ServeHTTP(httptest.NewRecorder(), r) }); panicked {
				t.Fatalf("pattern %q: %s %q panicked: %s", pattern, method, target, msg)
			}
		}

		// A static pattern serves its own path (a fully static route beats
		// the parameter routes above).
		if isStaticPattern(pattern) {
			r := httptest.NewRequest("GET", "/", nil)
			r.URL.Path, r.URL.RawPath = pattern, ""
			w := httptest.NewRecorder()
			if msg, panicked := panicMessage(func() { app.ServeHTTP(w, r) }); panicked {
				t.Fatalf("static pattern %q: serving its path panicked: %s", pattern, msg)
			}
			if w.Code != http.StatusOK || w.Body.String() != "fuzzed" {
				t.Fatalf("static pattern %q: its own path got %d %q", pattern, w.Code, w.Body.String())
			}
		}
	})
}
