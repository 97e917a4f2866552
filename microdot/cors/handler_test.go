package cors_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/microdot-go/microdot/microdot/cors"
)

const (
	acao  = "Access-Control-Allow-Origin"
	acac  = "Access-Control-Allow-Credentials"
	acam  = "Access-Control-Allow-Methods"
	acah  = "Access-Control-Allow-Headers"
	acma  = "Access-Control-Max-Age"
	aceh  = "Access-Control-Expose-Headers"
	acapn = "Access-Control-Allow-Private-Network"
	acrm  = "Access-Control-Request-Method"
	acrh  = "Access-Control-Request-Headers"
	acrpn = "Access-Control-Request-Private-Network"

	preflightVary    = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
	preflightVaryPNA = preflightVary + ", Access-Control-Request-Private-Network"
)

var credentialed = cors.Config{
	AllowedOrigins:   []string{"https://app.example", "https://*.example.com"},
	AllowCredentials: true,
	AllowedMethods:   []string{"GET", "POST", "PUT", "patch"},
	AllowedHeaders:   []string{"X-Token", "Content-Type"},
	ExposeHeaders:    []string{"X-Request-Id"},
	MaxAge:           600,
}

// statusHandler answers with the given status, as handlers of every kind
// do: CORS headers must be on all of them.
func statusHandler(status int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if status == http.StatusFound {
			w.Header().Set("Location", "/elsewhere")
		}
		w.WriteHeader(status)
	})
}

func TestActualAllowedEveryStatus(t *testing.T) {
	c := mustNew(t, credentialed)
	for _, status := range []int{200, 201, 204, 302, 304, 400, 401, 403, 404, 405, 413, 500, 503} {
		w := httptest.NewRecorder()
		c.Handler(statusHandler(status)).ServeHTTP(w, req("GET", "/", "Origin", "https://app.example"))
		assert.Equal(t, status, w.Code)
		assert.Equal(t, http.Header{
			acao: {"https://app.example"},
			acac: {"true"},
			aceh: {"X-Request-Id"},
		}, corsHeaders(w.Header()), "status %d", status)
		assert.Equal(t, []string{"Origin"}, w.Header().Values("Vary"))
	}
}

func TestActualAllowedReflectsByteForByte(t *testing.T) {
	c := mustNew(t, credentialed)
	for _, o := range []string{"https://app.example", "https://a.example.com", "https://a.b.example.com"} {
		w := serve(c, req("POST", "/", "Origin", o))
		assert.Equal(t, handlerStatus, w.Code)
		assert.Equal(t, []string{o}, w.Header().Values(acao))
		assert.Equal(t, []string{"true"}, w.Header().Values(acac))
	}
}

func TestActualDisallowedOrMissingOrigin(t *testing.T) {
	c := mustNew(t, credentialed)
	for name, r := range map[string]*http.Request{
		"no origin":         req("GET", "/"),
		"other origin":      req("GET", "/", "Origin", "https://evil.example"),
		"apex of wildcard":  req("GET", "/", "Origin", "https://example.com"),
		"null":              req("GET", "/", "Origin", "null"),
		"empty":             req("GET", "/", "Origin", ""),
		"two fields":        req("GET", "/", "Origin", "https://app.example", "Origin", "https://app.example"),
		"list":              req("GET", "/", "Origin", "https://app.example, https://evil.example"),
		"upper case":        req("GET", "/", "Origin", "HTTPS://APP.EXAMPLE"),
		"trailing slash":    req("GET", "/", "Origin", "https://app.example/"),
		"explicit port 443": req("GET", "/", "Origin", "https://app.example:443"),
	} {
		t.Run(name, func(t *testing.T) {
			w := serve(c, r)
			assert.Equal(t, handlerStatus, w.Code, "the handler runs: CORS is not access control")
			assert.Equal(t, "1", w.Header().Get("X-Handler"))
			assert.Empty(t, corsHeaders(w.Header()))
			assert.Equal(t, []string{"Origin"}, w.Header().Values("Vary"))
		})
	}
}

func TestActualAnyOrigin(t *testing.T) {
	c := mustNew(t, cors.Config{AllowedOrigins: []string{"*"}, ExposeHeaders: []string{"X-Test", "X-Test2"}})
	for name, r := range map[string]*http.Request{
		"no origin":  req("GET", "/"),
		"origin":     req("GET", "/", "Origin", "https://example.com"),
		"null":       req("GET", "/", "Origin", "null"),
		"two fields": req("GET", "/", "Origin", "https://a.example", "Origin", "https://b.example"),
		"options":    req("OPTIONS", "/", "Origin", "https://example.com"),
	} {
		t.Run(name, func(t *testing.T) {
			w := serve(c, r)
			assert.Equal(t, handlerStatus, w.Code)
			assert.Equal(t, http.Header{acao: {"*"}, aceh: {"X-Test, X-Test2"}}, corsHeaders(w.Header()))
			assert.Empty(t, w.Header().Values("Vary"), "a static response needs no Vary")
		})
	}
}

func TestActualCopyNeverReflectsNull(t *testing.T) {
	c := mustNew(t, cors.Config{AllowedOrigins: []string{"copy"}})
	w := serve(c, req("GET", "/", "Origin", "https://anything.example:8080"))
	assert.Equal(t, "https://anything.example:8080", w.Header().Get(acao))
	assert.Empty(t, w.Header().Values(acac))
	for _, o := range []string{"null", "", "not an origin", "https://a.example/path", "https://a.example, https://b.example"} {
		w := serve(c, req("GET", "/", "Origin", o))
		assert.Empty(t, w.Header().Values(acao), "origin %q", o)
		assert.Equal(t, []string{"Origin"}, w.Header().Values("Vary"))
	}
}

func TestActualNullListed(t *testing.T) {
	c := mustNew(t, cors.Config{AllowedOrigins: []string{"null"}})
	w := serve(c, req("GET", "/", "Origin", "null"))
	assert.Equal(t, "null", w.Header().Get(acao))
	assert.Equal(t, []string{"Origin"}, w.Header().Values("Vary"))
	w = serve(c, req("GET", "/", "Origin", "https://a.example"))
	assert.Empty(t, w.Header().Values(acao))
}

// TestVaryMerge checks that Vary is merged token-wise into what outer
// middleware set: no duplicates, and "*" stays "*".
func TestVaryMerge(t *testing.T) {
	c := mustNew(t, credentialed)
	tests := []struct {
		name  string
		outer []string
		want  []string
	}{
		{"none", nil, []string{"Origin"}},
		{"other", []string{"Accept-Encoding"}, []string{"Accept-Encoding", "Origin"}},
		{"list", []string{"X-Foo, X-Bar"}, []string{"X-Foo, X-Bar", "Origin"}},
		{"already", []string{"Accept, Origin"}, []string{"Accept, Origin"}},
		{"already other case", []string{"origin"}, []string{"origin"}},
		{"star", []string{"*"}, []string{"*"}},
		{"star in list", []string{"Accept, *"}, []string{"Accept, *"}},
	}
	for _, tt := range tests {
		for _, o := range []string{"", "https://app.example", "https://evil.example"} {
			t.Run(tt.name+" "+o, func(t *testing.T) {
				outer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					for _, v := range tt.outer {
						w.Header().Add("Vary", v)
					}
					c.Handler(spy).ServeHTTP(w, r)
				})
				w := httptest.NewRecorder()
				r := req("GET", "/")
				if o != "" {
					r.Header.Set("Origin", o)
				}
				outer.ServeHTTP(w, r)
				assert.Equal(t, tt.want, w.Header().Values("Vary"))
			})
		}
	}
}

// TestHandlerSetHeadersNotDuplicated checks that a header the handler sets
// itself replaces ours instead of adding a second value.
func TestHandlerSetHeadersNotDuplicated(t *testing.T) {
	c := mustNew(t, credentialed)
	h := c.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(acao, "https://app.example")
		w.Header().Set(acac, "true")
	}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req("GET", "/", "Origin", "https://app.example"))
	assert.Equal(t, []string{"https://app.example"}, w.Header().Values(acao))
	assert.Equal(t, []string{"true"}, w.Header().Values(acac))
}

func TestNonPreflightOptions(t *testing.T) {
	c := mustNew(t, credentialed)
	// OPTIONS with Origin but no Access-Control-Request-Method: an
	// ordinary request.
	w := serve(c, req("OPTIONS", "/", "Origin", "https://app.example"))
	assert.Equal(t, handlerStatus, w.Code)
	assert.Equal(t, "https://app.example", w.Header().Get(acao))
	assert.Equal(t, "X-Request-Id", w.Header().Get(aceh))
	assert.Empty(t, w.Header().Values(acam))
	assert.Empty(t, w.Header().Values(acma))
	// OPTIONS with Access-Control-Request-Method but no Origin: not CORS.
	w = serve(c, req("OPTIONS", "/", acrm, "PUT"))
	assert.Equal(t, handlerStatus, w.Code)
	assert.Empty(t, corsHeaders(w.Header()))
	assert.Equal(t, []string{"Origin"}, w.Header().Values("Vary"))
	// Lower-case method: not OPTIONS.
	w = serve(c, req("options", "/", "Origin", "https://app.example", acrm, "PUT"))
	assert.Equal(t, handlerStatus, w.Code)
}

func TestPreflightSuccess(t *testing.T) {
	c := mustNew(t, credentialed)
	w := serve(c, req("OPTIONS", "/", "Origin", "https://app.example", acrm, "PUT", acrh, "content-type,x-token"))
	assert.Equal(t, http.StatusNoContent, w.Code)
	assert.Empty(t, w.Header().Get("X-Handler"), "the handler does not run")
	assert.Empty(t, w.Body.String())
	assert.Equal(t, http.Header{
		acao: {"https://app.example"},
		acac: {"true"},
		acam: {"PUT"},
		acah: {"X-Token, Content-Type"},
		acma: {"600"},
	}, corsHeaders(w.Header()))
	assert.Equal(t, []string{preflightVary}, w.Header().Values("Vary"))

	// No headers requested: no Access-Control-Allow-Headers.
	w = serve(c, req("OPTIONS", "/", "Origin", "https://a.example.com", acrm, "patch"))
	assert.Equal(t, http.StatusNoContent, w.Code)
	assert.Equal(t, http.Header{
		acao: {"https://a.example.com"},
		acac: {"true"},
		acam: {"patch"},
		acma: {"600"},
	}, corsHeaders(w.Header()))
}

func TestPreflightMaxAge(t *testing.T) {
	for _, tt := range []struct {
		maxAge int
		want   []string
	}{{0, nil}, {-1, []string{"0"}}, {1, []string{"1"}}, {7200, []string{"7200"}}, {86400, []string{"86400"}}} {
		c := mustNew(t, cors.Config{AllowedOrigins: []string{"https://a.example"}, MaxAge: tt.maxAge})
		w := serve(c, req("OPTIONS", "/", "Origin", "https://a.example", acrm, "GET"))
		assert.Equal(t, http.StatusNoContent, w.Code)
		assert.Equal(t, tt.want, w.Header().Values(acma), "MaxAge %d", tt.maxAge)
		// Never on actual responses.
		w = serve(c, req("GET", "/", "Origin", "https://a.example"))
		assert.Empty(t, w.Header().Values(acma))
	}
}

func TestPreflightStatus200(t *testing.T) {
	c := mustNew(t, cors.Config{AllowedOrigins: []string{"https://a.example"}, PreflightStatus: 200})
	w := serve(c, req("OPTIONS", "/", "Origin", "https://a.example", acrm, "GET"))
	assert.Equal(t, 200, w.Code)
	assert.Equal(t, "https://a.example", w.Header().Get(acao))
}

func TestPreflightPrivateNetwork(t *testing.T) {
	on := mustNew(t, cors.Config{AllowedOrigins: []string{"https://app.example"}, AllowPrivateNetwork: true})
	off := mustNew(t, cors.Config{AllowedOrigins: []string{"https://app.example"}})
	pna := func(v ...string) *http.Request {
		r := req("OPTIONS", "/", "Origin", "https://app.example", acrm, "GET")
		for _, x := range v {
			r.Header.Add(acrpn, x)
		}
		return r
	}
	w := serve(on, pna("true"))
	assert.Equal(t, http.StatusNoContent, w.Code)
	assert.Equal(t, []string{"true"}, w.Header().Values(acapn))
	assert.Equal(t, []string{preflightVaryPNA}, w.Header().Values("Vary"))

	for name, r := range map[string]*http.Request{"not requested": pna(), "false": pna("false"), "True": pna("True"), "twice": pna("true", "true")} {
		w := serve(on, r)
		assert.Equal(t, http.StatusNoContent, w.Code, name)
		assert.Empty(t, w.Header().Values(acapn), name)
		assert.Equal(t, []string{preflightVaryPNA}, w.Header().Values("Vary"), name)
	}
	w = serve(off, pna("true"))
	assert.Equal(t, http.StatusNoContent, w.Code)
	assert.Empty(t, w.Header().Values(acapn))
	assert.Equal(t, []string{preflightVary}, w.Header().Values("Vary"))
}

func TestPreflightFailures(t *testing.T) {
	c := mustNew(t, credentialed)
	pf := func(hdr ...string) *http.Request { return req("OPTIONS", "/", hdr...) }
	ok := "https://app.example"
	for name, r := range map[string]*http.Request{
		"origin not allowed":       pf("Origin", "https://evil.example", acrm, "PUT"),
		"origin apex":              pf("Origin", "https://example.com", acrm, "GET"),
		"origin empty":             pf("Origin", "", acrm, "GET"),
		"origin null":              pf("Origin", "null", acrm, "GET"),
		"two origins":              pf("Origin", ok, "Origin", ok, acrm, "GET"),
		"method not allowed":       pf("Origin", ok, acrm, "DELETE"),
		"method wrong case":        pf("Origin", ok, acrm, "put"),
		"method PATCH vs patch":    pf("Origin", ok, acrm, "PATCH"),
		"method empty":             pf("Origin", ok, acrm, ""),
		"method not a token":       pf("Origin", ok, acrm, "P UT"),
		"method star":              pf("Origin", ok, acrm, "*"),
		"method twice":             pf("Origin", ok, acrm, "PUT", acrm, "PUT"),
		"method CONNECT":           pf("Origin", ok, acrm, "CONNECT"),
		"header not allowed":       pf("Origin", ok, acrm, "PUT", acrh, "x-other"),
		"one header not allowed":   pf("Origin", ok, acrm, "PUT", acrh, "content-type,x-other"),
		"authorization not listed": pf("Origin", ok, acrm, "PUT", acrh, "authorization"),
		"header list garbage":      pf("Origin", ok, acrm, "PUT", acrh, "x-token;x"),
	} {
		t.Run(name, func(t *testing.T) {
			w := serve(c, r)
			assert.Equal(t, http.StatusForbidden, w.Code)
			assert.Empty(t, w.Header().Get("X-Handler"), "the handler does not run")
			assert.Empty(t, corsHeaders(w.Header()), "nothing is leaked")
			assert.Empty(t, w.Header().Values("Vary"), "a refusal costs nothing")
			assert.Empty(t, w.Body.String())
		})
	}
}

// TestPreflightMethodsInHandler checks what Handler, which knows no routes,
// allows.
func TestPreflightMethodsInHandler(t *testing.T) {
	tests := []struct {
		name    string
		methods []string
		allow   []string
		refuse  []string
	}{
		{"nil: safelisted only", nil, []string{"GET", "HEAD", "POST"}, []string{"PUT", "DELETE", "PATCH", "OPTIONS", "get"}},
		{"star: any", []string{"*"}, []string{"GET", "PUT", "DELETE", "PATCH", "PURGE", "patch", "OPTIONS"}, []string{"CONNECT", "TRACE", "track"}},
		{"list: normalised", []string{"put", "delete", "patch"}, []string{"PUT", "DELETE", "patch", "GET", "POST", "HEAD"}, []string{"put", "PATCH", "OPTIONS"}},
		{"empty list: safelisted only", []string{}, []string{"GET", "HEAD", "POST"}, []string{"PUT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustNew(t, cors.Config{AllowedOrigins: []string{"https://a.example"}, AllowedMethods: tt.methods})
			for _, m := range tt.allow {
				w := serve(c, req("OPTIONS", "/", "Origin", "https://a.example", acrm, m))
				assert.Equal(t, http.StatusNoContent, w.Code, m)
				assert.Equal(t, []string{m}, w.Header().Values(acam), m)
			}
			for _, m := range tt.refuse {
				w := serve(c, req("OPTIONS", "/", "Origin", "https://a.example", acrm, m))
				assert.Equal(t, http.StatusForbidden, w.Code, m)
			}
		})
	}
}

// TestPreflightAllowHeaders checks the Access-Control-Allow-Headers value for
// each kind of AllowedHeaders.
func TestPreflightAllowHeaders(t *testing.T) {
	tests := []struct {
		name    string
		creds   bool
		headers []string
		acrh    []string
		want    []string // nil: refused with 403
	}{
		{"nil, anonymous: echo", false, nil, []string{"x-a,x-b"}, []string{"x-a,x-b"}},
		{"nil: authorization echoed", false, nil, []string{"authorization,x-a"}, []string{"authorization,x-a"}},
		{"star: authorization refused", false, []string{"*"}, []string{"authorization,x-a"}, nil},
		{"star, anonymous: wildcard", false, []string{"*"}, []string{"x-a,x-b"}, []string{"*"}},
		{"star and authorization", false, []string{"*", "Authorization"}, []string{"authorization,x-a"}, []string{"*, Authorization"}},
		{"star and authorization, not requested", false, []string{"*", "Authorization"}, []string{"x-a"}, []string{"*"}},
		{"nil, credentialed: echo", true, nil, []string{"x-a,x-b"}, []string{"x-a,x-b"}},
		{"nil, credentialed: echo lines", true, nil, []string{"x-a", "", "x-b"}, []string{"x-a, x-b"}},
		{"nil, credentialed: authorization echoed", true, nil, []string{"authorization,content-type"}, []string{"authorization,content-type"}},
		{"star, credentialed: echo", true, []string{"*"}, []string{"x-a"}, []string{"x-a"}},
		{"credentialed: authorization by name", true, []string{"*", "authorization"}, []string{"authorization,x-b"}, []string{"authorization,x-b"}},
		{"credentialed star: authorization refused", true, []string{"*"}, []string{"authorization"}, nil},
		{"listed: configured list", true, []string{"X-A", "X-B", "Authorization"}, []string{"x-b"}, []string{"X-A, X-B, Authorization"}},
		{"listed: authorization", false, []string{"Authorization"}, []string{"Authorization"}, []string{"Authorization"}},
		{"listed: not listed", false, []string{"X-A"}, []string{"x-b"}, nil},
		{"empty list: any header refused", false, []string{}, []string{"x-a"}, nil},
		{"empty list: empty request", false, []string{}, []string{""}, []string{}},
		{"no names requested", false, []string{"X-A"}, []string{" , "}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustNew(t, cors.Config{AllowedOrigins: []string{"https://a.example"}, AllowCredentials: tt.creds, AllowedHeaders: tt.headers})
			r := req("OPTIONS", "/", "Origin", "https://a.example", acrm, "GET")
			for _, l := range tt.acrh {
				r.Header.Add(acrh, l)
			}
			w := serve(c, r)
			if tt.want == nil {
				assert.Equal(t, http.StatusForbidden, w.Code)
				assert.Empty(t, corsHeaders(w.Header()))
				return
			}
			assert.Equal(t, http.StatusNoContent, w.Code)
			if len(tt.want) == 0 {
				assert.Empty(t, w.Header().Values(acah))
			} else {
				assert.Equal(t, tt.want, w.Header().Values(acah))
			}
			if tt.creds {
				assert.NotContains(t, w.Header().Values(acah), "*")
			}
		})
	}
}

// TestPreflightAnyOrigin checks preflights under a plain "*" policy.
func TestPreflightAnyOrigin(t *testing.T) {
	c := mustNew(t, cors.Config{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"*"}, MaxAge: -1})
	w := serve(c, req("OPTIONS", "/", "Origin", "https://x.example", acrm, "PROPFIND", acrh, "x-y"))
	assert.Equal(t, http.StatusNoContent, w.Code)
	assert.Equal(t, http.Header{acao: {"*"}, acam: {"PROPFIND"}, acah: {"x-y"}, acma: {"0"}}, corsHeaders(w.Header()))
	assert.Equal(t, []string{preflightVary}, w.Header().Values("Vary"))
}

// TestPreflightLogging checks the debug record of a failed preflight, and
// that nothing is logged on success or above debug level.
func TestPreflightLogging(t *testing.T) {
	var buf bytes.Buffer
	cfg := credentialed
	cfg.Logger = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := mustNew(t, cfg)
	for _, tt := range []struct {
		r    *http.Request
		want []string
	}{
		{req("OPTIONS", "/p", "Origin", "https://evil.example", acrm, "PUT"), []string{"check=origin", "origin not allowed", "value=https://evil.example", "path=/p"}},
		{req("OPTIONS", "/p", "Origin", "https://app.example", acrm, "DELETE"), []string{"check=method", "value=DELETE"}},
		{req("OPTIONS", "/p", "Origin", "https://app.example", acrm, ""), []string{"check=method", "single method name"}},
		{req("OPTIONS", "/p", "Origin", "https://app.example", acrm, "PUT", acrh, "x-token,x-nope"), []string{"check=headers", "value=x-nope", "not allowed by AllowedHeaders"}},
		{req("OPTIONS", "/p", "Origin", "https://app.example", acrm, "PUT", acrh, "authorization"), []string{"check=headers", "list it by name"}},
	} {
		buf.Reset()
		w := serve(c, tt.r)
		require.Equal(t, http.StatusForbidden, w.Code)
		out := buf.String()
		assert.Equal(t, 1, bytes.Count(buf.Bytes(), []byte("\n")), "one record: %s", out)
		assert.Contains(t, out, "level=DEBUG")
		assert.Contains(t, out, "cors: preflight refused")
		for _, s := range tt.want {
			assert.Contains(t, out, s)
		}
	}
	buf.Reset()
	serve(c, req("OPTIONS", "/", "Origin", "https://app.example", acrm, "PUT"))
	serve(c, req("GET", "/", "Origin", "https://evil.example"))
	assert.Empty(t, buf.String(), "only failed preflights are logged")

	cfg.Logger = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	c = mustNew(t, cfg)
	serve(c, req("OPTIONS", "/", "Origin", "https://evil.example", acrm, "PUT"))
	assert.Empty(t, buf.String(), "debug records disabled")
}

func TestHandlerNilNext(t *testing.T) {
	c := mustNew(t, credentialed)
	w := httptest.NewRecorder()
	c.Handler(nil).ServeHTTP(w, req("GET", "/", "Origin", "https://app.example"))
	assert.Equal(t, http.StatusNotFound, w.Code)
	assert.Equal(t, "https://app.example", w.Header().Get(acao))
}

func TestIsPreflight(t *testing.T) {
	assert.True(t, cors.IsPreflight(req("OPTIONS", "/", "Origin", "https://a.example", acrm, "PUT")))
	assert.True(t, cors.IsPreflight(req("OPTIONS", "/", "Origin", "", acrm, "")), "present, even empty")
	assert.False(t, cors.IsPreflight(req("OPTIONS", "/", "Origin", "https://a.example")))
	assert.False(t, cors.IsPreflight(req("OPTIONS", "/", acrm, "PUT")))
	assert.False(t, cors.IsPreflight(req("GET", "/", "Origin", "https://a.example", acrm, "PUT")))
}

// TestGetCORSHeaders checks the headers computed by hand for custom
// middleware.
func TestGetCORSHeaders(t *testing.T) {
	c := mustNew(t, credentialed)
	h := c.GetCORSHeaders(req("GET", "/", "Origin", "https://app.example"))
	assert.Equal(t, http.Header{
		acao:   {"https://app.example"},
		acac:   {"true"},
		aceh:   {"X-Request-Id"},
		"Vary": {"Origin"},
	}, h)
	assert.Equal(t, http.Header{"Vary": {"Origin"}}, c.GetCORSHeaders(req("GET", "/")))
	assert.Equal(t, http.Header{"Vary": {"Origin"}}, c.GetCORSHeaders(req("GET", "/", "Origin", "https://evil.example")))
	h = c.GetCORSHeaders(req("OPTIONS", "/", "Origin", "https://app.example", acrm, "PUT"))
	assert.Equal(t, http.Header{
		acao:   {"https://app.example"},
		acac:   {"true"},
		acam:   {"PUT"},
		acma:   {"600"},
		"Vary": {preflightVary},
	}, h)
	assert.Empty(t, c.GetCORSHeaders(req("OPTIONS", "/", "Origin", "https://evil.example", acrm, "PUT")))
	// The Header is the caller's: changing it changes nothing else.
	h.Set(acao, "x")
	h2 := c.GetCORSHeaders(req("GET", "/", "Origin", "https://app.example"))
	assert.Equal(t, "https://app.example", h2.Get(acao))
}
