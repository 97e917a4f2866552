package cors_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/cors"
)

func text(body string) microdot.Handler {
	return func(*microdot.Request) (*microdot.Response, error) { return microdot.Text(body), nil }
}

// call sends one request to app; hdr holds name, value pairs.
func call(app http.Handler, method, target string, hdr ...string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	app.ServeHTTP(w, req(method, target, hdr...))
	return w
}

func attach(t *testing.T, app *microdot.App, cfg cors.Config) *cors.CORS {
	t.Helper()
	c, err := cors.New(app, cfg)
	require.NoError(t, err)
	return c
}

// TestMicrodotT1 is Microdot's test_origin. Microdot sends no Vary to
// requests without Origin or from a refused origin (its flaw 3); we do, since
// those responses differ from the ones allowed origins get.
func TestMicrodotT1(t *testing.T) {
	app := microdot.New()
	app.Get("/", text("foo"))
	c, err := cors.New(nil, cors.Config{AllowedOrigins: []string{"https://example.com"}, AllowCredentials: true})
	require.NoError(t, err)
	c.Initialize(app)

	w := call(app, "GET", "/")
	assert.Equal(t, 200, w.Code)
	assert.Equal(t, "foo", w.Body.String())
	assert.Empty(t, corsHeaders(w.Header()))
	assert.Equal(t, []string{"Origin"}, w.Header().Values("Vary"))

	w = call(app, "GET", "/", "Origin", "https://example.com")
	assert.Equal(t, 200, w.Code)
	assert.Equal(t, http.Header{acao: {"https://example.com"}, acac: {"true"}}, corsHeaders(w.Header()))
	assert.Equal(t, []string{"Origin"}, w.Header().Values("Vary"))

	require.NoError(t, c.Update(func(cfg *cors.Config) { cfg.AllowCredentials = false }))
	w = call(app, "GET", "/foo", "Origin", "https://example.com")
	assert.Equal(t, 404, w.Code)
	assert.Equal(t, http.Header{acao: {"https://example.com"}}, corsHeaders(w.Header()))
	assert.Equal(t, []string{"Origin"}, w.Header().Values("Vary"))

	w = call(app, "GET", "/", "Origin", "https://bad.com")
	assert.Equal(t, 200, w.Code)
	assert.Empty(t, corsHeaders(w.Header()))
	assert.Equal(t, []string{"Origin"}, w.Header().Values("Vary"))
}

// TestMicrodotT2 is Microdot's test_all_origins. With "*" Microdot reflects
// the Origin (and varies on it) when there is one; we send the literal "*"
// on every response, which needs no Vary and caches better.
func TestMicrodotT2(t *testing.T) {
	app := microdot.New()
	app.Get("/", text("foo"))
	app.Get("/foo", func(*microdot.Request) (*microdot.Response, error) {
		return microdot.Text("foo").SetHeader("Vary", "X-Foo, X-Bar"), nil
	})
	attach(t, app, cors.Config{AllowedOrigins: []string{"*"}, ExposeHeaders: []string{"X-Test", "X-Test2"}})
	want := http.Header{acao: {"*"}, aceh: {"X-Test, X-Test2"}}

	w := call(app, "GET", "/")
	assert.Equal(t, want, corsHeaders(w.Header()))
	assert.Empty(t, w.Header().Values("Vary"))

	w = call(app, "GET", "/", "Origin", "https://example.com")
	assert.Equal(t, want, corsHeaders(w.Header()))
	assert.Empty(t, w.Header().Values("Vary"))

	w = call(app, "GET", "/bad", "Origin", "https://example.com")
	assert.Equal(t, 404, w.Code)
	assert.Equal(t, want, corsHeaders(w.Header()))

	w = call(app, "GET", "/foo", "Origin", "https://example.com")
	assert.Equal(t, []string{"X-Foo, X-Bar"}, w.Header().Values("Vary"))
}

// TestMicrodotT3 is Microdot's test_cors_preflight. Microdot answers 200; we
// answer 204. Both echo the requested headers (allowed_headers=None).
func TestMicrodotT3(t *testing.T) {
	app := microdot.New()
	app.Route("/", text("foo"), "GET", "POST")
	attach(t, app, cors.Config{AllowedOrigins: []string{"*"}})

	w := call(app, "OPTIONS", "/", "Origin", "https://example.com", acrm, "POST", acrh, "X-Test, X-Test2")
	assert.Equal(t, 204, w.Code)
	assert.Equal(t, http.Header{acao: {"*"}, acam: {"POST"}, acah: {"X-Test, X-Test2"}}, corsHeaders(w.Header()))
	assert.Equal(t, []string{preflightVary}, w.Header().Values("Vary"))

	// No Access-Control-Request-Method: an ordinary OPTIONS request,
	// answered by the App with Allow and the actual-request headers.
	w = call(app, "OPTIONS", "/", "Origin", "https://example.com")
	assert.Equal(t, 204, w.Code)
	assert.Equal(t, http.Header{acao: {"*"}}, corsHeaders(w.Header()))
	assert.Contains(t, w.Header().Get("Allow"), "POST")
}

// TestMicrodotT4 is Microdot's test_cors_preflight_with_options. Microdot
// answers a preflight asking for a header it does not allow with the part of
// the list it allows; we refuse the preflight. GET, being CORS-safelisted,
// is allowed (Microdot omits it from Allow-Methods, which browsers accept
// too).
func TestMicrodotT4(t *testing.T) {
	app := microdot.New()
	app.Route("/", text("foo"), "GET", "POST")
	attach(t, app, cors.Config{AllowedOrigins: []string{"*"}, MaxAge: 3600, AllowedMethods: []string{"POST"}, AllowedHeaders: []string{"X-Test"}})

	w := call(app, "OPTIONS", "/", "Origin", "https://example.com", acrm, "POST", acrh, "X-Test, X-Test2")
	assert.Equal(t, 403, w.Code)
	assert.Empty(t, corsHeaders(w.Header()))

	w = call(app, "OPTIONS", "/", "Origin", "https://example.com", acrm, "POST", acrh, "X-Test")
	assert.Equal(t, 204, w.Code)
	assert.Equal(t, http.Header{acao: {"*"}, acam: {"POST"}, acah: {"X-Test"}, acma: {"3600"}}, corsHeaders(w.Header()))

	w = call(app, "OPTIONS", "/", "Origin", "https://example.com", acrm, "GET")
	assert.Equal(t, 204, w.Code)
	assert.Equal(t, http.Header{acao: {"*"}, acam: {"GET"}, acma: {"3600"}}, corsHeaders(w.Header()))
}

// TestMicrodotT5 is Microdot's test_cors_disabled: with a nil App nothing
// is attached.
func TestMicrodotT5(t *testing.T) {
	app := microdot.New()
	app.Get("/", text("foo"))
	_, err := cors.New(nil, cors.Config{AllowedOrigins: []string{"*"}})
	require.NoError(t, err)
	w := call(app, "GET", "/")
	assert.Empty(t, corsHeaders(w.Header()))
	assert.Empty(t, w.Header().Values("Vary"))
	w = call(app, "OPTIONS", "/", "Origin", "https://a.example", acrm, "GET")
	assert.Empty(t, corsHeaders(w.Header()))
}

// configAApp is Microdot's observed configuration A.
func configAApp(t *testing.T) *microdot.App {
	app := microdot.New()
	app.Logger = quietLogger()
	app.Get("/", text("foo"))
	app.Route("/both", text("both"), "GET", "POST")
	app.Get("/vary", func(*microdot.Request) (*microdot.Response, error) {
		return microdot.Text("v").SetHeader("Vary", "Origin, Accept"), nil
	})
	app.Get("/boom", func(*microdot.Request) (*microdot.Response, error) { panic("boom") })
	app.Get("/abort", func(*microdot.Request) (*microdot.Response, error) { return nil, microdot.Abort(401) })
	attach(t, app, cors.Config{AllowedOrigins: []string{"https://example.com"}})
	return app
}

// TestMicrodotConfigA is the observed vectors A1-A10, rewritten where they
// show Microdot's flaws (preflights that ignore routes, methods upper-cased,
// duplicated Vary tokens).
func TestMicrodotConfigA(t *testing.T) {
	app := configAApp(t)
	ok := "https://example.com"

	// A1: the route does not serve DELETE: refused (Microdot: 200 with
	// Access-Control-Allow-Methods: DELETE).
	w := call(app, "OPTIONS", "/", "Origin", ok, acrm, "DELETE")
	assert.Equal(t, 403, w.Code)
	assert.Empty(t, corsHeaders(w.Header()))
	// A served method is fine, HEAD included.
	for _, m := range []string{"GET", "HEAD"} {
		w = call(app, "OPTIONS", "/", "Origin", ok, acrm, m)
		assert.Equal(t, 204, w.Code, m)
		assert.Equal(t, http.Header{acao: {ok}, acam: {m}}, corsHeaders(w.Header()))
		assert.Equal(t, []string{preflightVary}, w.Header().Values("Vary"))
	}

	// A2: no route: 404 with only Vary (Microdot: 200).
	w = call(app, "OPTIONS", "/nope", "Origin", ok, acrm, "GET")
	assert.Equal(t, 404, w.Code)
	assert.Empty(t, corsHeaders(w.Header()))
	assert.Equal(t, []string{"Origin"}, w.Header().Values("Vary"))

	// A3: a refused origin gets nothing (Microdot: 200 with ACAM, ACAH).
	w = call(app, "OPTIONS", "/both", "Origin", "https://evil.com", acrm, "POST", acrh, "X-A")
	assert.Equal(t, 403, w.Code)
	assert.Empty(t, corsHeaders(w.Header()))
	assert.Empty(t, w.Body.String())

	// A4: OPTIONS without Origin: the App's automatic reply.
	w = call(app, "OPTIONS", "/both")
	assert.Equal(t, 204, w.Code)
	assert.Empty(t, corsHeaders(w.Header()))
	assert.Contains(t, w.Header().Get("Allow"), "POST")
	assert.Equal(t, []string{"Origin"}, w.Header().Values("Vary"))

	// A5: Origin is already in the handler's Vary: not repeated
	// (Microdot: "Origin, Accept, Origin").
	w = call(app, "GET", "/vary", "Origin", ok)
	assert.Equal(t, []string{"Origin, Accept"}, w.Header().Values("Vary"))
	assert.Equal(t, ok, w.Header().Get(acao))

	// A6, A7: a panic and an Abort keep the CORS headers.
	w = call(app, "GET", "/boom", "Origin", ok)
	assert.Equal(t, 500, w.Code)
	assert.Equal(t, http.Header{acao: {ok}}, corsHeaders(w.Header()))
	assert.Equal(t, []string{"Origin"}, w.Header().Values("Vary"))
	w = call(app, "GET", "/abort", "Origin", ok)
	assert.Equal(t, 401, w.Code)
	assert.Equal(t, http.Header{acao: {ok}}, corsHeaders(w.Header()))

	// A8: methods are case-sensitive; Microdot upper-cases "post".
	w = call(app, "OPTIONS", "/both", "Origin", ok, acrm, "post")
	assert.Equal(t, 403, w.Code)

	// A9: HEAD.
	w = call(app, "HEAD", "/", "Origin", ok)
	assert.Equal(t, 200, w.Code)
	assert.Equal(t, ok, w.Header().Get(acao))
	assert.Equal(t, []string{"Origin"}, w.Header().Values("Vary"))

	// A10: 405 keeps the CORS headers (and the App adds Allow).
	w = call(app, "PUT", "/both", "Origin", ok)
	assert.Equal(t, 405, w.Code)
	assert.Equal(t, http.Header{acao: {ok}}, corsHeaders(w.Header()))
	assert.Equal(t, []string{"Origin"}, w.Header().Values("Vary"))
}

// TestMicrodotConfigsBtoF covers the observed configurations B to F.
func TestMicrodotConfigsBtoF(t *testing.T) {
	// B: "*" with credentials reflects every origin, null included, in
	// Microdot. Refused here.
	_, err := cors.New(microdot.New(), cors.Config{AllowedOrigins: []string{"*"}, AllowCredentials: true})
	require.Error(t, err)

	// C: Microdot accepts a string and tests substrings; Go's type system
	// rules the string out, and a prefix never matches.
	app := microdot.New()
	app.Get("/", text("foo"))
	attach(t, app, cors.Config{AllowedOrigins: []string{"https://example.com"}})
	assert.Empty(t, call(app, "GET", "/", "Origin", "https://example.co").Header().Get(acao))
	assert.Equal(t, 200, call(app, "GET", "/").Code)

	// D: "post" is normalised to POST (Microdot never matches it).
	app = microdot.New()
	app.Route("/both", text("both"), "GET", "POST")
	attach(t, app, cors.Config{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"post"}})
	w := call(app, "OPTIONS", "/both", "Origin", "https://a.com", acrm, "POST")
	assert.Equal(t, 204, w.Code)
	assert.Equal(t, "POST", w.Header().Get(acam))

	// E: a header not allowed refuses the preflight (Microdot sends an
	// empty Access-Control-Allow-Headers); max age 0 omits the header.
	app = microdot.New()
	app.Route("/both", text("both"), "GET", "POST")
	attach(t, app, cors.Config{AllowedOrigins: []string{"*"}, AllowedHeaders: []string{"X-Test"}})
	w = call(app, "OPTIONS", "/both", "Origin", "https://a.com", acrm, "POST", acrh, "X-Other")
	assert.Equal(t, 403, w.Code)
	assert.Empty(t, corsHeaders(w.Header()))
	w = call(app, "OPTIONS", "/both", "Origin", "https://a.com", acrm, "POST", acrh, "x-test,Content-Type")
	assert.Equal(t, 403, w.Code)
	w = call(app, "OPTIONS", "/both", "Origin", "https://a.com", acrm, "POST", acrh, "x-test")
	assert.Equal(t, 204, w.Code)
	assert.Equal(t, "X-Test", w.Header().Get(acah))
	assert.Empty(t, w.Header().Values(acma))

	// F: no origin at all is a configuration error.
	_, err = cors.New(microdot.New(), cors.Config{})
	require.Error(t, err)
}

// TestMicrodotConfigG is the observed configuration G: credentials, exposed
// headers, and an authentication hook.
func TestMicrodotConfigG(t *testing.T) {
	app := microdot.New()
	app.MaxBodyBytes = 16 * 1024
	app.Post("/p", text("p"))
	app.Get("/secure", text("secret"))
	app.BeforeRequest(func(r *microdot.Request) (*microdot.Response, error) {
		if r.URL.Path == "/secure" && r.Header.Get("Authorization") == "" {
			return microdot.Text("unauthorized").WithStatus(401), nil
		}
		return nil, nil
	})
	cfg := cors.Config{AllowedOrigins: []string{"https://example.com"}, AllowCredentials: true, ExposeHeaders: []string{"X-Total"}}
	c := attach(t, app, cfg)
	ok := "https://example.com"
	want := http.Header{acao: {ok}, acac: {"true"}, aceh: {"X-Total"}}

	// G1: HEAD on a POST-only route: 405.
	w := call(app, "HEAD", "/p", "Origin", ok)
	assert.Equal(t, 405, w.Code)
	assert.Equal(t, want, corsHeaders(w.Header()))
	// G2: the hook's 401 keeps the CORS headers, so the page can read it.
	w = call(app, "GET", "/secure", "Origin", ok)
	assert.Equal(t, 401, w.Code)
	assert.Equal(t, "unauthorized", w.Body.String())
	assert.Equal(t, want, corsHeaders(w.Header()))
	// G3: the preflight never reaches the hook. AllowedHeaders nil
	// echoes Authorization, as Microdot's allowed_headers=None does, so a
	// dashboard that sends a bearer token with credentials works as it
	// did in Python.
	w = call(app, "OPTIONS", "/secure", "Origin", ok, acrm, "GET", acrh, "authorization")
	assert.Equal(t, 204, w.Code)
	assert.Equal(t, http.Header{acao: {ok}, acac: {"true"}, acam: {"GET"}, acah: {"authorization"}}, corsHeaders(w.Header()))
	// A list narrows it; "*" does not cover Authorization.
	require.NoError(t, c.Update(func(cfg *cors.Config) { cfg.AllowedHeaders = []string{"*"} }))
	w = call(app, "OPTIONS", "/secure", "Origin", ok, acrm, "GET", acrh, "Authorization")
	assert.Equal(t, 403, w.Code)
	require.NoError(t, c.Update(func(cfg *cors.Config) { cfg.AllowedHeaders = []string{"Authorization"} }))
	w = call(app, "OPTIONS", "/secure", "Origin", ok, acrm, "GET", acrh, "Authorization")
	assert.Equal(t, 204, w.Code)
	assert.Equal(t, http.Header{acao: {ok}, acac: {"true"}, acam: {"GET"}, acah: {"Authorization"}}, corsHeaders(w.Header()))
	// G4: 413.
	r := httptest.NewRequest("POST", "http://api.example/p", strings.NewReader(strings.Repeat("x", 17000)))
	r.Header.Set("Origin", ok)
	w = httptest.NewRecorder()
	app.ServeHTTP(w, r)
	assert.Equal(t, 413, w.Code)
	assert.Equal(t, want, corsHeaders(w.Header()))
	// G5 (a request Microdot cannot parse) cannot reach an http.Handler:
	// net/http answers 400 itself.
	// G6: no Origin: no CORS header (Microdot sends Expose-Headers).
	w = call(app, "POST", "/p")
	assert.Equal(t, 200, w.Code)
	assert.Empty(t, corsHeaders(w.Header()))
	assert.Equal(t, []string{"Origin"}, w.Header().Values("Vary"))
}

// TestMicrodotConfigH covers mounted sub-apps.
func TestMicrodotConfigH(t *testing.T) {
	// H1: CORS on the parent covers a sub-app's routes.
	app := microdot.New()
	sub := microdot.New()
	sub.Route("/items", text("items"), "GET", "POST")
	app.Mount("/api", sub)
	attach(t, app, cors.Config{AllowedOrigins: []string{"*"}})
	w := call(app, "OPTIONS", "/api/items", "Origin", "https://a.example", acrm, "POST")
	assert.Equal(t, 204, w.Code)
	assert.Equal(t, "*", w.Header().Get(acao))
	assert.Equal(t, "POST", w.Header().Get(acam))
	w = call(app, "OPTIONS", "/api/items", "Origin", "https://a.example", acrm, "PUT")
	assert.Equal(t, 403, w.Code)

	// H2: CORS on a sub-app mounted without MountLocal moves into the
	// parent, with the rest of the sub-app's hooks, and so applies to the
	// parent's routes too.
	app = microdot.New()
	app.Get("/y", text("y"))
	sub = microdot.New()
	sub.Get("/x", text("x"))
	attach(t, sub, cors.Config{AllowedOrigins: []string{"*"}})
	app.Mount("/s", sub)
	assert.Equal(t, "*", call(app, "GET", "/y", "Origin", "https://a.example").Header().Get(acao))
	assert.Equal(t, "*", call(app, "GET", "/s/x", "Origin", "https://a.example").Header().Get(acao))
}

// TestAppPreflightRoutes checks route awareness with AllowedMethods nil,
// "*" and a list.
func TestAppPreflightRoutes(t *testing.T) {
	newApp := func(methods []string) *microdot.App {
		app := microdot.New()
		app.Get("/r", text("r"))
		app.Put("/r", text("r"))
		app.Route("/opts", text("o"), "GET", "OPTIONS")
		app.Get("/users/<int:id>", text("u"))
		app.Delete("/users/<int:id>", text("u"))
		attach(t, app, cors.Config{AllowedOrigins: []string{"https://a.example"}, AllowedMethods: methods})
		return app
	}
	tests := []struct {
		methods []string
		path    string
		allow   []string
		refuse  []string
	}{
		{nil, "/r", []string{"GET", "HEAD", "PUT"}, []string{"POST", "DELETE", "PATCH", "OPTIONS", "put"}},
		{[]string{"*"}, "/r", []string{"GET", "HEAD", "PUT"}, []string{"POST", "DELETE"}},
		{[]string{"PUT", "DELETE"}, "/r", []string{"GET", "HEAD", "PUT"}, []string{"DELETE", "POST"}},
		{[]string{"DELETE"}, "/r", []string{"GET", "HEAD"}, []string{"PUT"}},
		{nil, "/opts", []string{"GET", "OPTIONS"}, []string{"PUT"}},
		{nil, "/users/42", []string{"GET", "DELETE"}, []string{"PUT"}},
	}
	for _, tt := range tests {
		app := newApp(tt.methods)
		for _, m := range tt.allow {
			w := call(app, "OPTIONS", tt.path, "Origin", "https://a.example", acrm, m)
			assert.Equal(t, 204, w.Code, "%v %s %s", tt.methods, tt.path, m)
			assert.Equal(t, m, w.Header().Get(acam))
		}
		for _, m := range tt.refuse {
			w := call(app, "OPTIONS", tt.path, "Origin", "https://a.example", acrm, m)
			assert.Equal(t, 403, w.Code, "%v %s %s", tt.methods, tt.path, m)
			assert.Empty(t, corsHeaders(w.Header()))
		}
	}
	// A path whose converter refuses the value has no route: 404.
	w := call(newApp(nil), "OPTIONS", "/users/abc", "Origin", "https://a.example", acrm, "GET")
	assert.Equal(t, 404, w.Code)
	assert.Empty(t, corsHeaders(w.Header()))
}

// TestAppUserOptionsRoute checks that a preflight is answered by the
// extension even when the user registered an OPTIONS route, and that the
// route still serves ordinary OPTIONS requests, with the CORS headers.
func TestAppUserOptionsRoute(t *testing.T) {
	app := microdot.New()
	app.Route("/o", text("mine"), "GET", "OPTIONS")
	attach(t, app, cors.Config{AllowedOrigins: []string{"https://a.example"}, ExposeHeaders: []string{"X-A"}})
	w := call(app, "OPTIONS", "/o", "Origin", "https://a.example", acrm, "GET")
	assert.Equal(t, 204, w.Code)
	assert.Empty(t, w.Body.String())
	w = call(app, "OPTIONS", "/o", "Origin", "https://a.example")
	assert.Equal(t, 200, w.Code)
	assert.Equal(t, "mine", w.Body.String())
	assert.Equal(t, http.Header{acao: {"https://a.example"}, aceh: {"X-A"}}, corsHeaders(w.Header()))
}

// TestAppHandlerHeadersReplaced checks that headers a handler set itself are
// replaced, not duplicated (Microdot and wsgicors append a second value,
// which browsers read as a failure).
func TestAppHandlerHeadersReplaced(t *testing.T) {
	app := microdot.New()
	app.Get("/", func(*microdot.Request) (*microdot.Response, error) {
		return microdot.Text("x").SetHeader(acao, "*").AddHeader(acac, "true").AddHeader(acac, "true").SetHeader("Vary", "Accept-Encoding"), nil
	})
	attach(t, app, cors.Config{AllowedOrigins: []string{"https://app.example"}, AllowCredentials: true})
	w := call(app, "GET", "/", "Origin", "https://app.example")
	assert.Equal(t, []string{"https://app.example"}, w.Header().Values(acao))
	assert.Equal(t, []string{"true"}, w.Header().Values(acac))
	assert.Equal(t, []string{"Accept-Encoding", "Origin"}, w.Header().Values("Vary"))
}

// TestAppPreflightResponsesUntouched checks that the after hooks do not add
// actual-request headers to preflight answers.
func TestAppPreflightResponsesUntouched(t *testing.T) {
	app := microdot.New()
	app.Get("/", text("x"))
	attach(t, app, cors.Config{AllowedOrigins: []string{"https://a.example"}, ExposeHeaders: []string{"X-A"}, AllowCredentials: true})
	w := call(app, "OPTIONS", "/", "Origin", "https://a.example", acrm, "GET")
	assert.Equal(t, 204, w.Code)
	assert.Empty(t, w.Header().Values(aceh), "no Expose-Headers on a preflight")
	assert.Equal(t, []string{"https://a.example"}, w.Header().Values(acao))
	assert.Equal(t, []string{preflightVary}, w.Header().Values("Vary"))
	w = call(app, "OPTIONS", "/", "Origin", "https://b.example", acrm, "GET")
	assert.Equal(t, 403, w.Code)
	assert.Empty(t, corsHeaders(w.Header()))
	assert.Equal(t, []string{preflightVary}, w.Header().Values("Vary"))
}

// TestAppOtherOptionsHandler checks that an OptionsFunc registered before
// the extension's keeps precedence, and gets only Vary added.
func TestAppOtherOptionsHandler(t *testing.T) {
	app := microdot.New()
	app.Get("/", text("x"))
	app.OptionsHandler(func(r *microdot.Request, res *microdot.Response) bool {
		if r.URL.Query().Get("mine") == "" {
			return false
		}
		res.StatusCode = 202
		return true
	})
	attach(t, app, cors.Config{AllowedOrigins: []string{"https://a.example"}})
	w := call(app, "OPTIONS", "/?mine=1", "Origin", "https://a.example", acrm, "GET")
	assert.Equal(t, 202, w.Code)
	assert.Empty(t, corsHeaders(w.Header()))
	assert.Equal(t, []string{"Origin"}, w.Header().Values("Vary"))
	w = call(app, "OPTIONS", "/", "Origin", "https://a.example", acrm, "GET")
	assert.Equal(t, 204, w.Code)
	assert.Equal(t, "https://a.example", w.Header().Get(acao))
}

// TestInitializeTwice checks that attaching twice does not attach twice.
func TestInitializeTwice(t *testing.T) {
	app := microdot.New()
	app.Get("/", func(*microdot.Request) (*microdot.Response, error) {
		return microdot.Text("x"), nil
	})
	calls := 0
	app.AfterRequest(func(*microdot.Request, *microdot.Response) *microdot.Response { calls++; return nil })
	c := attach(t, app, cors.Config{AllowedOrigins: []string{"https://a.example"}})
	c.Initialize(app)
	c.Initialize(nil)
	w := call(app, "GET", "/", "Origin", "https://a.example")
	assert.Equal(t, []string{"https://a.example"}, w.Header().Values(acao))
	assert.Equal(t, []string{"Origin"}, w.Header().Values("Vary"))
	assert.Equal(t, 1, calls)
}

// The App sends an empty 200 as 200, so PreflightStatus works in an App too.
func TestPreflightStatusInApp(t *testing.T) {
	app := microdot.New()
	app.Put("/x", func(*microdot.Request) (*microdot.Response, error) { return nil, nil })
	_, err := cors.New(app, cors.Config{AllowedOrigins: []string{"https://a.example"}, PreflightStatus: 200})
	require.NoError(t, err)
	res := microdot.NewTestClient(app).Options("/x", "Origin", "https://a.example", "Access-Control-Request-Method", "PUT")
	require.Equal(t, 200, res.StatusCode)
	require.Equal(t, "https://a.example", res.Header.Get("Access-Control-Allow-Origin"))
}
