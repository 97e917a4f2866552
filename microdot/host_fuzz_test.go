package microdot_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/microdot-go/microdot/microdot"
)

// FuzzAllowedHosts sends arbitrary Host values to an App with allowed
// hosts: the answer is 200 or 421, never a panic, and a host that is not
// one of the allowed names (with any port) is never served.
func FuzzAllowedHosts(f *testing.F) {
	for _, s := range []string{"camera.local", "CAMERA.LOCAL.:80", "[::1]:8080", "::1", "[::1", "rebind.attacker.example",
		"camera.local:", ":80", "", "camera.local:8080:1", "[fe80::1%25eth0]:80", "x.lan.example", "\x00"} {
		f.Add(s)
	}
	app := microdot.New()
	app.Logger = slog.New(slog.DiscardHandler)
	app.Get("/", func(*microdot.Request) (*microdot.Response, error) { return microdot.Text("ok"), nil })
	if err := app.SetAllowedHosts("camera.local", "::1", ".lan.example"); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, host string) {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Host = host
		w := httptest.NewRecorder()
		app.ServeHTTP(w, req)
		switch w.Code {
		case http.StatusMisdirectedRequest:
		case http.StatusOK:
			h := strings.ToLower(host)
			if !strings.Contains(h, "camera.local") && !strings.Contains(h, "::1") && !strings.Contains(h, "lan.example") {
				t.Fatalf("host %q was served", host)
			}
		default:
			t.Fatalf("host %q: status %d", host, w.Code)
		}
	})
}
