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

// outcome is what a vector expects of a response.
type outcome struct {
	status  int         // handlerStatus when the handler must run
	headers http.Header // the exact Access-Control-* headers
	vary    []string    // the exact Vary tokens; nil: no Vary at all
}

// vector is one request and its expected outcome.
type vector struct {
	id   string
	cfg  cors.Config
	r    *http.Request
	want outcome
}

func check(t *testing.T, vs []vector) {
	t.Helper()
	for _, v := range vs {
		t.Run(v.id, func(t *testing.T) {
			c := mustNew(t, v.cfg)
			w := serve(c, v.r)
			assert.Equal(t, v.want.status, w.Code)
			if v.want.status == handlerStatus {
				assert.Equal(t, "1", w.Header().Get("X-Handler"))
			} else {
				assert.Empty(t, w.Header().Get("X-Handler"), "the handler must not run")
			}
			want := v.want.headers
			if want == nil {
				want = http.Header{}
			}
			assert.Equal(t, want, corsHeaders(w.Header()))
			assert.Equal(t, v.want.vary, varyTokens(w.Header()))
			// Invariants of every response.
			if acac := w.Header().Values(acac); len(acac) > 0 {
				assert.Equal(t, []string{"true"}, acac, "Access-Control-Allow-Credentials is true or absent")
				assert.NotEqual(t, "*", w.Header().Get(acao), "never * with credentials")
			}
			assert.LessOrEqual(t, len(w.Header().Values(acao)), 1)
		})
	}
}

var (
	varyOrigin    = []string{"Origin"}
	varyPreflight = []string{"Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"}
	varyPNA       = append(append([]string{}, varyPreflight...), "Access-Control-Request-Private-Network")
)

// Configurations of the Fetch-standard vectors. R, "reflect any origin with
// credentials", is refused by design (see TestFetchVectorsRefusedConfigs);
// R below is the nearest allowed configuration: credentialed, explicit
// origins, any method and header.
var (
	fetchL = cors.Config{
		AllowedOrigins: []string{"https://app.example"}, AllowedMethods: []string{"GET", "POST", "PUT", "PATCH"},
		AllowedHeaders: []string{"X-Token", "Content-Type"}, ExposeHeaders: []string{"X-Request-Id"},
		AllowCredentials: true, MaxAge: 600,
	}
	fetchS = cors.Config{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"*"}, AllowedHeaders: []string{"*"}, ExposeHeaders: []string{"*"}}
	fetchR = cors.Config{
		AllowedOrigins: []string{"https://a.example", "https://*.app.example"}, AllowedMethods: []string{"*"},
		AllowedHeaders: []string{"*", "Authorization"}, AllowCredentials: true,
	}
	fetchW = cors.Config{AllowedOrigins: []string{"https://*.example.com"}}
)

func with(cfg cors.Config, change func(*cors.Config)) cors.Config {
	cfg = cors.Config{
		AllowedOrigins: append([]string(nil), cfg.AllowedOrigins...), AllowCredentials: cfg.AllowCredentials,
		AllowedMethods: cfg.AllowedMethods, ExposeHeaders: cfg.ExposeHeaders, AllowedHeaders: cfg.AllowedHeaders,
		MaxAge: cfg.MaxAge, AllowPrivateNetwork: cfg.AllowPrivateNetwork,
	}
	change(&cfg)
	return cfg
}

// TestFetchVectors are the vectors derived from the Fetch standard (V1-V30),
// through Handler. Where a vector leaves a choice, the comment says which.
func TestFetchVectors(t *testing.T) {
	app := "https://app.example"
	lActual := http.Header{acao: {app}, acac: {"true"}, aceh: {"X-Request-Id"}}
	check(t, []vector{
		{"V1", fetchL, preflight(app, "PUT", acrh, "content-type,x-token"), outcome{204, http.Header{
			acao: {app}, acac: {"true"}, acam: {"PUT"}, acah: {"X-Token, Content-Type"}, acma: {"600"}}, varyPreflight}},
		// V2: refused with 403 and nothing leaked. Handler sends no Vary
		// on refusals (see preflight.go); an App does.
		{"V2", fetchL, preflight("https://evil.example", "PUT"), outcome{403, nil, nil}},
		{"V3", fetchL, req("OPTIONS", "/", "Origin", app), outcome{handlerStatus, lActual, varyOrigin}},
		{"V4", fetchL, req("OPTIONS", "/", acrm, "PUT"), outcome{handlerStatus, nil, varyOrigin}},
		{"V5", fetchL, preflight(app, "patch"), outcome{403, nil, nil}},
		{"V6", fetchL, preflight(app, "GET", acrh, "x-token"), outcome{204, http.Header{
			acao: {app}, acac: {"true"}, acam: {"GET"}, acah: {"X-Token, Content-Type"}, acma: {"600"}}, varyPreflight}},
		// V7: refused rather than answered with a list that lacks the name.
		{"V7", fetchL, preflight(app, "PUT", acrh, "x-other"), outcome{403, nil, nil}},
		{"V8", fetchL, preflight(app, "PUT", acrh, "X-Token , ,Content-Type"), outcome{204, http.Header{
			acao: {app}, acac: {"true"}, acam: {"PUT"}, acah: {"X-Token, Content-Type"}, acma: {"600"}}, varyPreflight}},
		{"V9", fetchR, preflight("https://a.example", "DELETE", acrh, "authorization,x-y"), outcome{204, http.Header{
			acao: {"https://a.example"}, acac: {"true"}, acam: {"DELETE"}, acah: {"authorization,x-y"}}, varyPreflight}},
		// V10: "*" alone does not cover Authorization: with AllowedHeaders
		// "*" it is refused; listed, it is named beside the wildcard.
		{"V10 star", fetchS, preflight("https://x.example", "PUT", acrh, "authorization,x-y"), outcome{403, nil, nil}},
		{"V10 listed", with(fetchS, func(c *cors.Config) { c.AllowedHeaders = []string{"*", "Authorization"} }),
			preflight("https://x.example", "PUT", acrh, "authorization,x-y"), outcome{204, http.Header{
				acao: {"*"}, acam: {"PUT"}, acah: {"*, Authorization"}}, varyPreflight}},
		{"V11", fetchS, preflight("https://x.example", "PROPFIND"), outcome{204, http.Header{acao: {"*"}, acam: {"PROPFIND"}}, varyPreflight}},
		// V12: 0 omits the header (browsers then cache 5 s), -1 sends 0;
		// see TestFetchVectorsRefusedConfigs for "abc" and 100000.
		{"V12 0", with(fetchL, func(c *cors.Config) { c.MaxAge = 0 }), preflight(app, "GET"), outcome{204, http.Header{
			acao: {app}, acac: {"true"}, acam: {"GET"}}, varyPreflight}},
		{"V12 -1", with(fetchL, func(c *cors.Config) { c.MaxAge = -1 }), preflight(app, "GET"), outcome{204, http.Header{
			acao: {app}, acac: {"true"}, acam: {"GET"}, acma: {"0"}}, varyPreflight}},
		// V13: see TestFetchV13 (an App with an authentication hook).
		{"V14", fetchL, req("GET", "/", "Origin", app), outcome{handlerStatus, lActual, varyOrigin}},
		// V15, V16: see TestActualAllowedEveryStatus.
		{"V17", fetchL, req("GET", "/", "Origin", "https://evil.example"), outcome{handlerStatus, nil, varyOrigin}},
		{"V18", fetchL, req("GET", "/"), outcome{handlerStatus, nil, varyOrigin}},
		{"V19 origin", fetchS, req("GET", "/", "Origin", "https://x.example"), outcome{handlerStatus, http.Header{acao: {"*"}, aceh: {"*"}}, nil}},
		{"V19 none", fetchS, req("GET", "/"), outcome{handlerStatus, http.Header{acao: {"*"}, aceh: {"*"}}, nil}},
		{"V20", fetchR, req("GET", "/", "Origin", "https://a.example"), outcome{handlerStatus, http.Header{acao: {"https://a.example"}, acac: {"true"}}, varyOrigin}},
		{"V22 L", fetchL, req("GET", "/", "Origin", "null"), outcome{handlerStatus, nil, varyOrigin}},
		{"V22 R", fetchR, req("GET", "/", "Origin", "null"), outcome{handlerStatus, nil, varyOrigin}},
		{"V22 R preflight", fetchR, preflight("null", "GET"), outcome{403, nil, nil}},
		{"V24 a", fetchW, req("GET", "/", "Origin", "https://a.example.com"), outcome{handlerStatus, http.Header{acao: {"https://a.example.com"}}, varyOrigin}},
		{"V24 a.b", fetchW, req("GET", "/", "Origin", "https://a.b.example.com"), outcome{handlerStatus, http.Header{acao: {"https://a.b.example.com"}}, varyOrigin}},
		{"V27 S", fetchS, preflight("https://x.example", "GET"), outcome{204, http.Header{acao: {"*"}, acam: {"GET"}}, varyPreflight}},
		{"V28", with(fetchL, func(c *cors.Config) { c.AllowPrivateNetwork = true }), preflight(app, "GET", acrpn, "true"), outcome{204, http.Header{
			acao: {app}, acac: {"true"}, acam: {"GET"}, acma: {"600"}, acapn: {"true"}}, varyPNA}},
		{"V28 off", fetchL, preflight(app, "GET", acrpn, "true"), outcome{204, http.Header{
			acao: {app}, acac: {"true"}, acam: {"GET"}, acma: {"600"}}, varyPreflight}},
		{"V29 two fields", fetchL, req("GET", "/", "Origin", app, "Origin", app), outcome{handlerStatus, nil, varyOrigin}},
		{"V29 list", fetchL, req("GET", "/", "Origin", app+", https://x.example"), outcome{handlerStatus, nil, varyOrigin}},
		{"V30 empty", fetchL, preflight(app, ""), outcome{403, nil, nil}},
		{"V30 not a token", fetchL, preflight(app, "GET PUT"), outcome{403, nil, nil}},
	})
	// V23 and V25: none of these origins is allowed.
	for _, o := range []string{"https://app.example.evil", "https://app.example:443", "http://app.example", "HTTPS://APP.EXAMPLE", "https://app.example/", "https://xapp.example"} {
		assert.False(t, allowedBy(t, mustNew(t, fetchL), o), "V23 %s", o)
	}
	for _, o := range []string{"https://example.com", "https://evilexample.com", "https://example.com.evil.net", "http://a.example.com", "https://a.example.com:8443", "https://evil.com/.example.com", "https://.example.com"} {
		assert.False(t, allowedBy(t, mustNew(t, fetchW), o), "V25 %s", o)
	}
}

// TestFetchVectorsRefusedConfigs covers the vectors whose configuration we
// refuse.
func TestFetchVectorsRefusedConfigs(t *testing.T) {
	// R as written: reflect every origin, with credentials.
	_, err := cors.New(nil, cors.Config{AllowedOrigins: []string{"copy"}, AllowCredentials: true})
	assert.Error(t, err, "R")
	// V12: 100000 is beyond what any browser caches; "abc" is no number.
	_, err = cors.New(nil, with(fetchL, func(c *cors.Config) { c.MaxAge = 100000 }))
	assert.Error(t, err, "V12 100000")
	_, err = cors.ParseConfig(strings.NewReader("origin = https://app.example\nmaxage = abc\n"), "v12.ini")
	assert.Error(t, err, "V12 abc")
	// V21: "*" exposes nothing to credentialed requests.
	_, err = cors.New(nil, with(fetchL, func(c *cors.Config) { c.ExposeHeaders = []string{"*"} }))
	assert.Error(t, err, "V21")
}

// TestFetchV13 is V13: a preflight, which carries no credentials, succeeds
// even though the resource needs authentication; and V26: headers the app
// set itself are replaced, Vary merged, "*" kept.
func TestFetchV13V26(t *testing.T) {
	app := microdot.New()
	app.BeforeRequest(func(r *microdot.Request) (*microdot.Response, error) {
		if r.Header.Get("Authorization") == "" {
			return nil, microdot.Abort(401)
		}
		return nil, nil
	})
	app.Put("/", text("ok"))
	app.Get("/", func(*microdot.Request) (*microdot.Response, error) {
		return microdot.Text("x").SetHeader(acao, "*").SetHeader("Vary", "Accept-Encoding"), nil
	})
	app.Get("/star", func(*microdot.Request) (*microdot.Response, error) {
		return microdot.Text("x").SetHeader("Vary", "*"), nil
	})
	attach(t, app, fetchL)
	w := call(app, "OPTIONS", "/", "Origin", "https://app.example", acrm, "PUT", acrh, "x-token")
	assert.Equal(t, 204, w.Code, "V13")
	w = call(app, "PUT", "/", "Origin", "https://app.example")
	assert.Equal(t, 401, w.Code)
	assert.Equal(t, "https://app.example", w.Header().Get(acao), "the 401 is readable by the page")

	w = call(app, "GET", "/", "Origin", "https://app.example", "Authorization", "Bearer x")
	assert.Equal(t, []string{"https://app.example"}, w.Header().Values(acao), "V26")
	assert.Equal(t, []string{"true"}, w.Header().Values(acac))
	assert.Equal(t, []string{"Accept-Encoding", "Origin"}, varyTokens(w.Header()))
	w = call(app, "GET", "/star", "Origin", "https://app.example", "Authorization", "Bearer x")
	assert.Equal(t, []string{"*"}, w.Header().Values("Vary"), "V26: Vary * stays *")
}

// Configurations A to G of the Go-library vectors.
var (
	libA = benchConfig
	libB = cors.Config{
		AllowedOrigins: []string{"https://example.com", "https://*.example.com"}, AllowCredentials: true,
		AllowedMethods: []string{"PUT"}, AllowedHeaders: []string{"Authorization"}, ExposeHeaders: []string{"X-Foo"},
	}
	libC = cors.Config{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"*"}, AllowedHeaders: []string{"*"}, ExposeHeaders: []string{"X-Foo"}, MaxAge: -1}
	libD = cors.Config{AllowedOrigins: []string{"https://example.com"}, AllowCredentials: true, AllowedMethods: []string{"PUT"}, AllowedHeaders: []string{"*"}}
	libE = cors.Config{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"PUT"}, AllowedHeaders: []string{"*", "Authorization"}}
	libF = cors.Config{AllowedOrigins: []string{"http://localhost:*"}, AllowedMethods: []string{"PUT"}}
	libG = cors.Config{AllowedOrigins: []string{"https://example.com"}, AllowedHeaders: []string{
		"accept", "authorization", "content-type", "user-agent", "x-csrf-token", "x-request-id", "x-custom-header"}}
)

// TestGoLibraryVectors are the vectors run against rs/cors and jub0bs/cors
// (#1-#44; #45, the configuration errors, is TestConfigErrors), through
// Handler. Comments mark where we decide differently from both.
func TestGoLibraryVectors(t *testing.T) {
	ex := "https://example.com"
	aOK := http.Header{acao: {ex}, aceh: {"X-Request-Id"}}
	aPreflight := func(m string, extra ...string) http.Header {
		h := http.Header{acao: {ex}, acam: {m}, acma: {"600"}}
		for i := 0; i < len(extra); i += 2 {
			h[extra[i]] = []string{extra[i+1]}
		}
		return h
	}
	aACAH := "Authorization, Content-Type, X-Requested-With"
	check(t, []vector{
		{"#1", libA, req("GET", "/"), outcome{handlerStatus, nil, varyOrigin}},
		{"#2", libA, req("GET", "/", "Origin", ex), outcome{handlerStatus, aOK, varyOrigin}},
		{"#3", libA, req("GET", "/", "Origin", "https://evil.com"), outcome{handlerStatus, nil, varyOrigin}},
		{"#4", libA, req("GET", "/", "Origin", "https://example.com.evil.com"), outcome{handlerStatus, nil, varyOrigin}},
		{"#5", libA, req("GET", "/", "Origin", "https://evilexample.com"), outcome{handlerStatus, nil, varyOrigin}},
		{"#6", libA, req("GET", "/", "Origin", "null"), outcome{handlerStatus, nil, varyOrigin}},
		{"#7", libA, req("GET", "/", "Origin", "HTTPS://EXAMPLE.COM"), outcome{handlerStatus, nil, varyOrigin}},
		{"#9", libA, preflight(ex, "PUT", acrh, "authorization,content-type"), outcome{204, aPreflight("PUT", acah, aACAH), varyPreflight}},
		{"#10", libA, preflight(ex, "PATCH"), outcome{403, nil, nil}},
		{"#11", libA, preflight(ex, "GET"), outcome{204, aPreflight("GET"), varyPreflight}},
		{"#12", libA, preflight(ex, "put"), outcome{403, nil, nil}},
		// #13, #14: both libraries refuse names out of order or in upper
		// case; we accept any order and case, within the same bounds.
		{"#13", libA, preflight(ex, "PUT", acrh, "content-type,authorization"), outcome{204, aPreflight("PUT", acah, aACAH), varyPreflight}},
		{"#14", libA, preflight(ex, "PUT", acrh, "Authorization"), outcome{204, aPreflight("PUT", acah, aACAH), varyPreflight}},
		{"#15", libA, preflight(ex, "PUT", acrh, "authorization, content-type"), outcome{204, aPreflight("PUT", acah, aACAH), varyPreflight}},
		{"#16", libA, preflight(ex, "PUT", acrh, "authorization,  content-type"), outcome{204, aPreflight("PUT", acah, aACAH), varyPreflight}},
		{"#17", libA, preflight(ex, "PUT", acrh, "authorization"+strings.Repeat(",", 16)), outcome{204, aPreflight("PUT", acah, aACAH), varyPreflight}},
		{"#18", libA, preflight(ex, "PUT", acrh, "authorization"+strings.Repeat(",", 17)), outcome{403, nil, nil}},
		{"#19", libA, preflight(ex, "PUT", acrh, "authorization", acrh, "content-type"), outcome{204, aPreflight("PUT", acah, aACAH), varyPreflight}},
		{"#20", libA, preflight(ex, "PUT", acrh, "authorization,authorization"), outcome{403, nil, nil}},
		{"#21", libA, preflight(ex, "PUT", acrh, "x-unknown"), outcome{403, nil, nil}},
		{"#22", libA, preflight("https://evil.com", "PUT"), outcome{403, nil, nil}},
		{"#23", libA, req("OPTIONS", "/", acrm, "PUT"), outcome{handlerStatus, nil, varyOrigin}},
		// #24: jub0bs sends no Vary on OPTIONS; we do, as on every
		// response that depends on the Origin.
		{"#24", libA, req("OPTIONS", "/", "Origin", ex), outcome{handlerStatus, aOK, varyOrigin}},
		// #25: an empty Access-Control-Request-Method is a failed
		// preflight (jub0bs), not an actual request (rs).
		{"#25", libA, preflight(ex, ""), outcome{403, nil, nil}},
		{"#26", libA, preflight(ex, "CONNECT"), outcome{403, nil, nil}},
		{"#27", libB, req("GET", "/", "Origin", ex), outcome{handlerStatus, http.Header{acao: {ex}, acac: {"true"}, aceh: {"X-Foo"}}, varyOrigin}},
		{"#28", libB, req("GET", "/", "Origin", "https://a.b.example.com"), outcome{handlerStatus, http.Header{acao: {"https://a.b.example.com"}, acac: {"true"}, aceh: {"X-Foo"}}, varyOrigin}},
		{"#29", libB, req("GET", "/", "Origin", "https://example.com:8443"), outcome{handlerStatus, nil, varyOrigin}},
		{"#30", libB, req("GET", "/", "Origin", "http://api.example.com"), outcome{handlerStatus, nil, varyOrigin}},
		{"#31", libB, req("GET", "/", "Origin", "https://xexample.com"), outcome{handlerStatus, nil, varyOrigin}},
		{"#32", libB, preflight("https://api.example.com", "PUT", acrh, "authorization"), outcome{204, http.Header{
			acao: {"https://api.example.com"}, acac: {"true"}, acam: {"PUT"}, acah: {"Authorization"}}, varyPreflight}},
		// #33: like jub0bs, "*" goes on responses without Origin too.
		{"#33", libC, req("GET", "/"), outcome{handlerStatus, http.Header{acao: {"*"}, aceh: {"X-Foo"}}, nil}},
		{"#34", libC, req("GET", "/", "Origin", "null"), outcome{handlerStatus, http.Header{acao: {"*"}, aceh: {"X-Foo"}}, nil}},
		{"#35", libC, preflight("https://x.example", "PURGE", acrh, "x-foo"), outcome{204, http.Header{
			acao: {"*"}, acam: {"PURGE"}, acah: {"*"}, acma: {"0"}}, varyPreflight}},
		// #36: "*" does not cover Authorization: refused rather than
		// answered with a "*" the browser rejects.
		{"#36", libC, preflight("https://x.example", "PUT", acrh, "authorization"), outcome{403, nil, nil}},
		// #37: with credentials, "*" is echoed, but Authorization must be
		// listed by name (D as written refuses it).
		{"#37 as written", libD, preflight(ex, "PUT", acrh, "authorization,x-foo"), outcome{403, nil, nil}},
		{"#37 listed", with(libD, func(c *cors.Config) { c.AllowedHeaders = []string{"*", "Authorization"} }),
			preflight(ex, "PUT", acrh, "authorization,x-foo"), outcome{204, http.Header{
				acao: {ex}, acac: {"true"}, acam: {"PUT"}, acah: {"authorization,x-foo"}}, varyPreflight}},
		{"#38", libE, preflight("https://x.example", "PUT", acrh, "authorization,x-foo"), outcome{204, http.Header{
			acao: {"*"}, acam: {"PUT"}, acah: {"*, Authorization"}}, varyPreflight}},
		{"#39", libF, req("POST", "/", "Origin", "http://localhost:3000"), outcome{handlerStatus, http.Header{acao: {"http://localhost:3000"}}, varyOrigin}},
		{"#40", libF, req("GET", "/", "Origin", "http://localhost:3000.evil.com"), outcome{handlerStatus, nil, varyOrigin}},
		{"#41 user-agent", libG, preflight(ex, "GET", acrh, "user-agent"), outcome{204, http.Header{
			acao: {ex}, acam: {"GET"}, acah: {strings.Join(libG.AllowedHeaders, ", ")}}, varyPreflight}},
		{"#41 x-request-id", libG, preflight(ex, "GET", acrh, "x-request-id"), outcome{204, http.Header{
			acao: {ex}, acam: {"GET"}, acah: {strings.Join(libG.AllowedHeaders, ", ")}}, varyPreflight}},
		{"#41 x-custom-header", libG, preflight(ex, "GET", acrh, "x-custom-header"), outcome{204, http.Header{
			acao: {ex}, acam: {"GET"}, acah: {strings.Join(libG.AllowedHeaders, ", ")}}, varyPreflight}},
		{"#41 all", libG, preflight(ex, "GET", acrh, "accept,authorization,content-type,user-agent,x-csrf-token,x-custom-header,x-request-id"), outcome{204, http.Header{
			acao: {ex}, acam: {"GET"}, acah: {strings.Join(libG.AllowedHeaders, ", ")}}, varyPreflight}},
		// #44: we have no OptionsPassthrough (a preflight never reaches
		// the handler); the private-network part and a 200 status hold.
		{"#44", cors.Config{AllowedOrigins: []string{ex}, AllowPrivateNetwork: true, PreflightStatus: 200}, preflight(ex, "GET", acrpn, "true"), outcome{200, http.Header{
			acao: {ex}, acam: {"GET"}, acapn: {"true"}}, varyPNA}},
	})

	// #8: an outer middleware's Vary is kept.
	c := mustNew(t, libA)
	w := httptest.NewRecorder()
	http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Accept-Encoding")
		c.Handler(spy).ServeHTTP(w, r)
	}).ServeHTTP(w, req("GET", "/", "Origin", ex))
	assert.Equal(t, []string{"Accept-Encoding", "Origin"}, varyTokens(w.Header()), "#8")

	// #42, #43: refused configurations.
	_, err := cors.New(nil, cors.Config{AllowedOrigins: []string{"h*"}, AllowCredentials: true})
	require.Error(t, err, "#42")
	_, err = cors.New(nil, cors.Config{AllowedOrigins: []string{"null"}, AllowCredentials: true})
	require.Error(t, err, "#43")
}
