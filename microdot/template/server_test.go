package template_test

import (
	"net/http/httptest"
	"testing"

	"github.com/microdot-go/microdot/microdot"
)

// newServer serves app on a loopback port until the test ends, and returns
// its URL.
func newServer(t *testing.T, app *microdot.App) string {
	srv := httptest.NewServer(app)
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
	})
	return srv.URL
}
