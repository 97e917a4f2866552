package session_test

import (
	"net/http"
	"testing"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/session"
)

// FuzzSessionCookie feeds arbitrary cookie values to Get: it must return a
// map, never panic, and accept nothing that it did not sign.
func FuzzSessionCookie(f *testing.F) {
	for _, seed := range []string{
		"",
		"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJuYW1lIjoiam9lIn0.EsUeVEgXXypGun4-aOxMZl3KcshiFEdnRW6L0FUzyAE",
		"eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJuYW1lIjoiam9lIn0.",
		"a.b.c", "....", "%zz", "\x00\xff",
	} {
		f.Add(seed)
	}
	s, err := session.New(nil, testKey)
	if err != nil {
		f.Fatal(err)
	}
	app := microdot.New()
	app.Get("/", func(req *microdot.Request) (*microdot.Response, error) {
		if data := s.Get(req); data == nil {
			f.Error("Get returned nil")
		} else if len(data) > 0 {
			f.Errorf("an unsigned cookie gave a session: %v", data)
		}
		return microdot.Text("ok"), nil
	})
	c := microdot.NewTestClient(app)
	f.Fuzz(func(t *testing.T, value string) {
		req, _ := http.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("Cookie", "session="+value)
		if res := c.Do(req); res.StatusCode != http.StatusOK {
			t.Fatalf("status %d for cookie %q", res.StatusCode, value)
		}
	})
}
