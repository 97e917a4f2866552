package cors_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/cors"
)

// FuzzAppRequest sends arbitrary methods, paths, origins and preflight
// fields to Apps with the extension attached, whose routes answer, fail,
// abort and panic, and checks that the App never panics, that every status
// is one the App can give, and the invariants of every response: an allowed
// preflight carries the preflight's headers and Vary, any other answer to a
// preflight carries no Access-Control-* header but Vary: Origin, and every
// other response follows the rules of an actual request.
func FuzzAppRequest(f *testing.F) {
	for _, s := range [][5]string{
		{"GET", "/items", "https://app.example", "", ""},
		{"OPTIONS", "/items", "https://app.example", "PUT", "x-token"},
		{"OPTIONS", "/items/7", "https://app.example", "DELETE", ""},
		{"OPTIONS", "/missing", "https://app.example", "GET", ""},
		{"OPTIONS", "/items", "https://evil.example", "PUT", ""},
		{"OPTIONS", "*", "https://app.example", "GET", ""},
		{"PUT", "/items/abc", "null", "", ""},
		{"POST", "/panic", "https://app.example", "", ""},
		{"GET", "/fail", "https://a.example.com", "", ""},
		{"PATCH", "/items", "https://app.example", "", ""},
		{"OPTIONS", "/items", "https://app.example", "put", strings.Repeat("x,", 100)},
		{"GET", "/items/%2F", "HTTPS://APP.EXAMPLE", "", ""},
	} {
		f.Add(s[0], s[1], s[2], s[3], s[4])
	}
	configs := []cors.Config{
		credentialed,
		{AllowedOrigins: []string{"https://app.example", "https://*.example.com"}, AllowedHeaders: []string{"X-Token"}},
		{AllowedOrigins: []string{"*"}, ExposeHeaders: []string{"X-A"}},
		{AllowedOrigins: []string{"null", "https://app.example"}, AllowedMethods: []string{"GET", "PUT"}, MaxAge: -1},
	}
	type served struct {
		app *microdot.App
		cfg cors.Config
	}
	var apps []served
	for _, cfg := range configs {
		app := microdot.New()
		app.Logger = slog.New(slog.DiscardHandler)
		ok := func(*microdot.Request) (*microdot.Response, error) { return microdot.Text("ok"), nil }
		app.Route("/items", ok, "GET", "PUT")
		app.Route("/items/<int:id>", ok, "GET", "DELETE")
		app.Get("/fail", func(*microdot.Request) (*microdot.Response, error) { return nil, microdot.Abort(http.StatusTeapot) })
		app.Post("/panic", func(*microdot.Request) (*microdot.Response, error) { panic("boom") })
		if _, err := cors.New(app, cfg); err != nil {
			f.Fatal(err)
		}
		apps = append(apps, served{app, cfg})
	}
	statuses := []int{http.StatusOK, http.StatusNoContent, http.StatusBadRequest, http.StatusForbidden,
		http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusTeapot, http.StatusInternalServerError}

	f.Fuzz(func(t *testing.T, method, path, origin, reqMethod, reqHeaders string) {
		if method == "" || strings.ContainsFunc(method, func(r rune) bool { return r <= ' ' || r >= 0x7f }) {
			return // net/http refuses such a request line before any handler runs
		}
		for _, a := range apps {
			r := &http.Request{Method: method, URL: &url.URL{Path: path}, Header: http.Header{}, Body: http.NoBody, RemoteAddr: "192.0.2.1:1234"}
			if u, err := url.ParseRequestURI(path); err == nil && path != "*" {
				r.URL = u
			}
			r.RequestURI = path
			if origin != "" {
				r.Header.Set("Origin", origin)
			}
			if reqMethod != "" {
				r.Header.Set(acrm, reqMethod)
			}
			for _, l := range strings.Split(reqHeaders, "\n") {
				if l != "" {
					r.Header.Add(acrh, l)
				}
			}
			w := httptest.NewRecorder()
			a.app.ServeHTTP(w, r)
			if !slices.Contains(statuses, w.Code) {
				t.Fatalf("%s %q: status %d", method, path, w.Code)
			}
			io.Copy(io.Discard, w.Body)
			h := w.Header()
			preflight := cors.IsPreflight(r)
			// A preflight that the extension did not allow (refused, no
			// route, or OPTIONS *, which the App answers itself) says
			// nothing of CORS, but still varies on the Origin.
			if preflight && (w.Code != http.StatusNoContent || h.Get(acao) == "") {
				if len(corsHeaders(h)) > 0 {
					t.Fatalf("%s %q answered %d leaks %v", method, path, w.Code, corsHeaders(h))
				}
				plainAny := len(a.cfg.AllowedOrigins) == 1 && a.cfg.AllowedOrigins[0] == "*"
				if !plainAny && !slices.Contains(varyTokens(h), "Origin") {
					t.Fatalf("%s %q answered %d without Vary: Origin (%q)", method, path, w.Code, h.Values("Vary"))
				}
				continue
			}
			responseInvariants(t, a.cfg, r, h, w.Code, preflight)
		}
	})
}
