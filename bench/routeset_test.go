package bench

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/microdot-go/microdot/microdot"
)

// BenchmarkRouteSet serves GET /hello from two Apps with hooks: "plain" has
// /hello and /users/<id>; "conflicting" also has /users/new, /users/<id>/posts
// and /users/new/x, routes that httprouter alone refuses beside /users/<id>.
// The App keeps one tree lookup per request whatever the route set, so the
// ratio conflicting/plain (ratios.sh) stays at 1. The param-* pair does the
// same for GET /users/42.
func BenchmarkRouteSet(b *testing.B) {
	sets := []struct {
		name     string
		patterns []string
	}{
		{"plain", []string{"/hello", "/users/<id>"}},
		{"conflicting", []string{"/hello", "/users/<id>", "/users/new", "/users/<id>/posts", "/users/new/x"}},
	}
	for _, path := range []string{"/hello", "/users/42"} {
		for _, s := range sets {
			name := s.name
			if path != "/hello" {
				name = "param-" + name
			}
			b.Run(name, func(b *testing.B) {
				app := newApp(true)
				for _, p := range s.patterns {
					app.Get(p, func(*microdot.Request) (*microdot.Response, error) {
						return microdot.Text(p), nil
					})
				}
				req := httptest.NewRequest(http.MethodGet, path, nil)
				want := "/hello"
				if path != "/hello" {
					want = "/users/<id>"
				}
				c := contender{name: name, hooksPerRequest: 2}
				if err := checkBody(c, app, req, want); err != nil {
					b.Fatal(err)
				}
				benchServe(b, app, req)
			})
		}
	}
}
