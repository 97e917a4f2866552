package microdot

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOneTree: a route set whose patterns disagree on segments is held by
// one httprouter, each path found by one lookup in its method's tree (and in
// the OPTIONS and anyMethod trees), with the values of the general path:
// /users/new is found under /users/:p0. Routes that conflict nowhere keep
// their own path (/hello, no values).
func TestOneTree(t *testing.T) {
	app := New()
	for _, p := range []string{"/hello", "/users/<id>", "/users/new", "/users/<id>/posts", "/users/new/x", "/files/*f", "/files/readme"} {
		app.Get(p, func(*Request) (*Response, error) { return nil, nil })
	}
	e := newEngine(app)
	tests := []struct {
		path   string
		values []string // what the lookup captured
	}{
		{"/hello", nil},
		{"/users/7", []string{"7"}},
		{"/users/new", []string{"new"}},
		{"/users/new/posts", []string{"new"}},
		{"/users/new/x", []string{"new"}},
		{"/files/readme", []string{"/readme"}},
	}
	for _, tt := range tests {
		for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodOptions, anyMethod} {
			h, ps, _ := e.router.Lookup(m, tt.path)
			require.NotNil(t, h, "%s %s", m, tt.path)
			var values []string
			for _, p := range ps {
				values = append(values, p.Value)
			}
			assert.Equal(t, tt.values, values, "%s %s", m, tt.path)
		}
	}
	h, _, _ := e.router.Lookup(http.MethodPost, "/hello")
	assert.Nil(t, h, "no POST tree entry for a GET route")
}
