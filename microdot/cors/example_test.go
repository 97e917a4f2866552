package cors_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/cors"
)

// A dashboard served from https://dashboard.example.com calls the API of an
// App with the user's cookies.
func ExampleNew() {
	app := microdot.New()
	app.Get("/api/status", func(*microdot.Request) (*microdot.Response, error) {
		return microdot.JSON(map[string]bool{"ok": true}), nil
	})
	_, err := cors.New(app, cors.Config{
		AllowedOrigins:   []string{"https://dashboard.example.com"},
		AllowCredentials: true,
		MaxAge:           600,
	})
	if err != nil {
		log.Fatal(err)
	}

	// The browser's preflight, answered by the extension. AllowedHeaders
	// nil allows every header, Authorization included, as Microdot's
	// allowed_headers=None does.
	r := httptest.NewRequest("OPTIONS", "/api/status", nil)
	r.Header.Set("Origin", "https://dashboard.example.com")
	r.Header.Set("Access-Control-Request-Method", "GET")
	r.Header.Set("Access-Control-Request-Headers", "authorization,x-requested-with")
	w := httptest.NewRecorder()
	app.ServeHTTP(w, r)
	fmt.Println(w.Code, w.Header().Get("Access-Control-Allow-Origin"), w.Header().Get("Access-Control-Allow-Headers"))

	// The request itself.
	r = httptest.NewRequest("GET", "/api/status", nil)
	r.Header.Set("Origin", "https://dashboard.example.com")
	w = httptest.NewRecorder()
	app.ServeHTTP(w, r)
	fmt.Println(w.Code, w.Header().Get("Access-Control-Allow-Origin"), w.Header().Get("Access-Control-Allow-Credentials"), w.Header().Get("Vary"))
	// Output:
	// 204 https://dashboard.example.com authorization,x-requested-with
	// 200 https://dashboard.example.com true Origin
}

// The same policy protects any http.Handler.
func ExampleCORS_Handler() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "[]")
	})
	c, err := cors.New(nil, cors.Config{
		AllowedOrigins: []string{"https://*.example.com"},
		AllowedMethods: []string{"GET", "PUT", "DELETE"},
		ExposeHeaders:  []string{"X-Total-Count"},
	})
	if err != nil {
		log.Fatal(err)
	}
	handler := c.Handler(mux) // pass it to http.ListenAndServe

	r := httptest.NewRequest("GET", "/items", nil)
	r.Header.Set("Origin", "https://shop.example.com")
	w := httptest.NewRecorder()
	handler.ServeHTTP(w, r)
	fmt.Println(w.Code, w.Header().Get("Access-Control-Allow-Origin"), w.Header().Get("Access-Control-Expose-Headers"))

	r = httptest.NewRequest("OPTIONS", "/items", nil)
	r.Header.Set("Origin", "https://evil.example.org")
	r.Header.Set("Access-Control-Request-Method", "DELETE")
	w = httptest.NewRecorder()
	handler.ServeHTTP(w, r)
	fmt.Println(w.Code, len(w.Header()))
	// Output:
	// 200 https://shop.example.com X-Total-Count
	// 403 0
}

// Custom middleware can compose the headers itself, for example to add
// them only under a path prefix.
func ExampleCORS_GetCORSHeaders() {
	c, err := cors.New(nil, cors.Config{AllowedOrigins: []string{"https://app.example.com"}})
	if err != nil {
		log.Fatal(err)
	}
	middleware := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			for k, v := range c.GetCORSHeaders(r) {
				w.Header()[k] = v
			}
			if cors.IsPreflight(r) {
				if w.Header().Get("Access-Control-Allow-Origin") == "" {
					w.WriteHeader(http.StatusForbidden)
					return
				}
				w.WriteHeader(http.StatusNoContent)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	h := middleware(http.NotFoundHandler())

	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Origin", "https://app.example.com")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Code, w.Header().Get("Access-Control-Allow-Origin"))
	// Output:
	// 404 https://app.example.com
}

// Update changes the policy while requests are served, for example when an
// administrator registers a new client.
func ExampleCORS_Update() {
	c, err := cors.New(nil, cors.Config{AllowedOrigins: []string{"https://a.example.com"}})
	if err != nil {
		log.Fatal(err)
	}
	err = c.Update(func(cfg *cors.Config) {
		cfg.AllowedOrigins = append(cfg.AllowedOrigins, "https://b.example.com")
	})
	fmt.Println(err, c.Config().AllowedOrigins)

	// An invalid change is refused, and the policy in force stays.
	err = c.Update(func(cfg *cors.Config) {
		cfg.AllowedOrigins = append(cfg.AllowedOrigins, "https://c.example.com/")
	})
	fmt.Println(err)
	fmt.Println(c.Config().AllowedOrigins)
	// Output:
	// <nil> [https://a.example.com https://b.example.com]
	// cors: AllowedOrigins "https://c.example.com/": an origin has no path, not even a trailing slash: write "https://c.example.com"; accepted forms: "*", "https://app.example.com", "https://app.example.com:8443", "https://*.example.com", "http://localhost:*", "null", "copy"
	// [https://a.example.com https://b.example.com]
}

// A wsgicors configuration file loads as it is.
func ExampleLoadFile() {
	cfg, err := cors.LoadFile("testdata/paste.ini")
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range cfg.Policies {
		fmt.Println(p.Name, p.AllowedOrigins)
	}
	c, err := cors.New(nil, cfg)
	if err != nil {
		log.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Origin", "https://www.example.com")
	fmt.Println(c.GetCORSHeaders(r).Get("Access-Control-Expose-Headers"))
	// Output:
	// subdom [http://example.com http://example2.com https://*.example.com]
	// free [copy]
	// Foo, Doom
}
