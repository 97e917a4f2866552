package cors_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/microdot-go/microdot/microdot/cors"
)

// Fuzz targets: run with, for example,
//
//	go test -fuzz FuzzOriginPattern ./microdot/cors/
//
// Without -fuzz, their seeds run as ordinary tests.

// responseInvariants checks what must hold of every response, whatever the
// configuration and the request.
func responseInvariants(t *testing.T, cfg cors.Config, r *http.Request, h http.Header, status int, preflight bool) {
	t.Helper()
	acaos := h.Values(acao)
	if len(acaos) > 1 {
		t.Fatalf("%d Access-Control-Allow-Origin values", len(acaos))
	}
	origins := r.Header.Values("Origin")
	if len(acaos) == 1 {
		a := acaos[0]
		switch {
		case a == "*":
			if !slices.Contains(cfg.AllowedOrigins, "*") {
				t.Fatalf("* sent without * configured")
			}
		case len(origins) != 1 || a != origins[0]:
			t.Fatalf("Access-Control-Allow-Origin %q is not the request's Origin %q", a, origins)
		case a == "null" && !slices.Contains(cfg.AllowedOrigins, "null"):
			t.Fatalf("null allowed without being listed")
		}
	}
	if v := h.Values(acac); len(v) > 0 {
		if !cfg.AllowCredentials || len(v) != 1 || v[0] != "true" {
			t.Fatalf("Access-Control-Allow-Credentials %q", v)
		}
		if len(acaos) != 1 || acaos[0] == "*" {
			t.Fatalf("credentials with Access-Control-Allow-Origin %q", acaos)
		}
		for _, k := range []string{acah, acam, aceh} {
			if slices.Contains(h.Values(k), "*") {
				t.Fatalf("%s: * with credentials", k)
			}
		}
	}
	if len(acaos) == 0 && len(corsHeaders(h)) > 0 {
		t.Fatalf("Access-Control-* headers without Access-Control-Allow-Origin: %v", corsHeaders(h))
	}
	vary := varyTokens(h)
	plainAny := len(cfg.AllowedOrigins) == 1 && cfg.AllowedOrigins[0] == "*"
	switch {
	case preflight && status == http.StatusForbidden:
		if len(corsHeaders(h)) > 0 {
			t.Fatalf("a refused preflight leaks %v", corsHeaders(h))
		}
	case preflight:
		if len(vary) < 3 || !slices.Equal(vary[:3], varyPreflight) {
			t.Fatalf("preflight Vary %q", vary)
		}
	case plainAny:
		if len(vary) != 0 || len(acaos) != 1 || acaos[0] != "*" {
			t.Fatalf("plain *: Access-Control-Allow-Origin %q, Vary %q", acaos, vary)
		}
	default:
		if !slices.Equal(vary, []string{"Origin"}) {
			t.Fatalf("Vary %q", vary)
		}
	}
}

// FuzzOriginPattern checks configuration parsing against request matching:
// a pattern that is accepted allows exactly what its form says.
func FuzzOriginPattern(f *testing.F) {
	for _, s := range [][2]string{
		{"https://example.com", "https://example.com"},
		{"https://*.example.com", "https://a.b.example.com"},
		{"https://*.example.com", "https://evilexample.com"},
		{"http://localhost:*", "http://localhost:3000.evil.com"},
		{"http://[::1]:*", "http://[::1]:8080"},
		{"null", "null"},
		{"copy", "chrome-extension://abc"},
		{"*", "anything"},
		{"https://foo.com", "https://barfoo.com"},
		{"h*", "https://evil.example.org"},
		{"https://example.com:8443", "https://example.com:8443"},
		{"https://xn--bcher-kva.example", "https://xn--bcher-kva.example"},
		{"http://192.168.0.1", "http://192.168.0.1"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, origin string) {
		for _, creds := range []bool{false, true} {
			cfg := cors.Config{AllowedOrigins: []string{pattern}, AllowCredentials: creds}
			c, err := cors.New(nil, cfg)
			if err != nil {
				if !strings.Contains(err.Error(), "cors: ") {
					t.Fatalf("error without prefix: %v", err)
				}
				continue
			}
			if creds && (pattern == "*" || pattern == "copy" || pattern == "null") {
				t.Fatalf("%q accepted with credentials", pattern)
			}
			r := req("GET", "/", "Origin", origin)
			h := c.GetCORSHeaders(r)
			responseInvariants(t, cfg, r, h, 0, false)
			allowed := h.Get(acao) != ""
			if allowed && !matchesReference(pattern, origin) {
				t.Fatalf("%q allows %q", pattern, origin)
			}
			// An exact pattern is itself a valid origin, and matches
			// itself.
			if !strings.Contains(pattern, "*") && pattern != "copy" {
				if h := c.GetCORSHeaders(req("GET", "/", "Origin", pattern)); h.Get(acao) != pattern {
					t.Fatalf("%q does not allow itself", pattern)
				}
			}
		}
	})
}

// matchesReference is a slow, independent statement of what a pattern may
// allow, written with net/url.
func matchesReference(pattern, origin string) bool {
	switch pattern {
	case "*":
		return true
	case "null":
		return origin == "null"
	case origin:
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Scheme == "" || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil || u.Opaque != "" {
		return false
	}
	if origin != strings.ToLower(origin) || strings.HasSuffix(origin, ":") {
		return false
	}
	if pattern == "copy" {
		return true
	}
	scheme, rest, _ := strings.Cut(pattern, "://")
	if scheme != u.Scheme {
		return false
	}
	host, port := rest, ""
	if i := strings.LastIndex(rest, ":"); i >= 0 && !strings.HasSuffix(rest, "]") {
		host, port = rest[:i], rest[i+1:]
	}
	if port == "*" {
		if u.Port() != "" && !strings.HasSuffix(origin, ":"+u.Port()) {
			return false
		}
	} else if u.Port() != port {
		return false
	}
	h := u.Host
	if u.Port() != "" {
		h = strings.TrimSuffix(h, ":"+u.Port())
	}
	if dom, ok := strings.CutPrefix(host, "*."); ok {
		sub, ok := strings.CutSuffix(h, "."+dom)
		return ok && sub != "" && !strings.HasPrefix(sub, ".") && !strings.Contains(sub, "..")
	}
	return h == host
}

// FuzzRequestOrigin sends arbitrary Origin values (one or two fields) to
// several configurations and checks the invariants of every response.
func FuzzRequestOrigin(f *testing.F) {
	for _, o := range []string{
		"https://app.example", "https://a.example.com", "https://example.com", "null", "",
		"HTTPS://APP.EXAMPLE", "https://app.example, https://x.example", "http://localhost:3000",
		"https://app.example:443", "https://evil.com/.example.com", "\x00", "https://[::1]",
	} {
		f.Add(o, "", "GET")
		f.Add(o, "https://app.example", "OPTIONS")
	}
	configs := []cors.Config{
		credentialed,
		{AllowedOrigins: []string{"*"}, ExposeHeaders: []string{"X-A"}},
		{AllowedOrigins: []string{"copy"}},
		{AllowedOrigins: []string{"null", "http://localhost:*", "https://*.example.com:*"}},
		{Policies: []cors.Policy{
			{Name: "a", AllowedOrigins: []string{"https://app.example"}, AllowCredentials: true},
			{Name: "deny"},
		}},
	}
	f.Fuzz(func(t *testing.T, origin, second, method string) {
		for _, cfg := range configs {
			c := mustNew(t, cfg)
			r := req("GET", "/", "Origin", origin)
			if second != "" {
				r.Header.Add("Origin", second)
			}
			if method == "OPTIONS" {
				r.Method = "OPTIONS"
				r.Header.Set(acrm, "GET")
			}
			w := serve(c, r)
			flat := cfg
			if len(cfg.Policies) > 0 {
				flat = cors.Config{AllowedOrigins: cfg.Policies[0].AllowedOrigins, AllowCredentials: true}
				flat.AllowedOrigins = append(flat.AllowedOrigins, "policies")
			}
			responseInvariants(t, flat, r, w.Header(), w.Code, method == "OPTIONS")
			if len(r.Header.Values("Origin")) != 1 && w.Header().Get(acao) != "" && w.Header().Get(acao) != "*" {
				t.Fatalf("two Origin fields allowed")
			}
		}
	})
}

// FuzzACRH sends arbitrary Access-Control-Request-Headers (split into field
// lines at '\n') and checks that a successful preflight covers only allowed
// names, and that a refused one says nothing.
func FuzzACRH(f *testing.F) {
	for _, s := range []string{
		"authorization,content-type", "Content-Type , X-Token", "x-a\nx-b", ",,,,", "authorization",
		"x-token,x-token", "a b", strings.Repeat("x-a,", 70), "\t x-token \t", "", "\n\n",
		"*", // a header named "*" echoed with credentials would read as the wildcard
	} {
		f.Add(s)
	}
	configs := []cors.Config{
		{AllowedOrigins: []string{"https://app.example"}, AllowedHeaders: []string{"X-Token", "Content-Type", "Authorization"}},
		{AllowedOrigins: []string{"https://app.example"}, AllowCredentials: true},
		{AllowedOrigins: []string{"https://app.example"}},
		{AllowedOrigins: []string{"https://app.example"}, AllowedHeaders: []string{"*"}},
		{AllowedOrigins: []string{"*"}, AllowedHeaders: []string{"*", "Authorization"}},
	}
	f.Fuzz(func(t *testing.T, v string) {
		lines := strings.Split(v, "\n")
		for _, cfg := range configs {
			c := mustNew(t, cfg)
			r := req("OPTIONS", "/", "Origin", "https://app.example", acrm, "GET")
			for _, l := range lines {
				r.Header.Add(acrh, l)
			}
			w := serve(c, r)
			responseInvariants(t, cfg, r, w.Header(), w.Code, true)
			if w.Code != http.StatusNoContent {
				continue
			}
			anyName := cfg.AllowedHeaders == nil || slices.Contains(cfg.AllowedHeaders, "*")
			for _, l := range lines {
				for _, name := range strings.Split(l, ",") {
					name = strings.Trim(name, " \t")
					if name == "" {
						continue
					}
					listed := slices.ContainsFunc(cfg.AllowedHeaders, func(x string) bool { return strings.EqualFold(x, name) })
					switch {
					case strings.EqualFold(name, "authorization") && !listed && cfg.AllowedHeaders != nil:
						t.Fatalf("Authorization allowed without being listed")
					case !anyName && !listed:
						t.Fatalf("%q allowed without being listed", name)
					case strings.ContainsAny(name, " \t\"(),/:;<=>?@[\\]{}"):
						t.Fatalf("invalid name %q accepted", name)
					}
				}
			}
		}
	})
}
