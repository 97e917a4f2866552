package cors_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/microdot-go/microdot/microdot/cors"
)

// Fixtures after wsgicors's own tests (test-wsgicors.py), with realistic
// origins and methods instead of "localhost" and "*", and without the flaws:
// "free" allows any origin with credentials there, which we refuse, so here
// it is anonymous.
var (
	free = cors.Policy{
		Name: "pol1", AllowedOrigins: []string{"*"}, AllowedMethods: []string{"*"},
		ExposeHeaders: []string{"*"}, MaxAge: 100,
	}
	woopy = cors.Policy{
		Name: "pol2", AllowedOrigins: []string{"https://*.woopy.com"}, AllowedMethods: []string{"*"},
		ExposeHeaders: []string{"X-Woopy"}, MaxAge: 100, AllowCredentials: true,
	}
	verbOurs = cors.Policy{
		Name: "pol1", AllowedOrigins: []string{"https://*.ourdomain.com"},
		AllowedMethods: []string{"HEAD", "OPTIONS", "GET", "POST", "PUT", "DELETE"}, MaxAge: 180,
	}
	verbWorld = cors.Policy{
		Name: "pol2", AllowedOrigins: []string{"*"},
		AllowedMethods: []string{"HEAD", "OPTIONS", "GET"}, MaxAge: 180,
	}
)

func preflight(origin, method string, hdr ...string) *http.Request {
	return req("OPTIONS", "/", append([]string{"Origin", origin, acrm, method}, hdr...)...)
}

// TestFirstMatch is wsgicors A.10 #1-#3: the first policy whose origins
// match wins.
func TestFirstMatch(t *testing.T) {
	multi := mustNew(t, cors.Config{Policies: []cors.Policy{woopy, free}})
	// #1: pol2 matches the subdomain: the origin is reflected with pol2's
	// headers.
	w := serve(multi, req("GET", "/", "Origin", "https://palim.woopy.com"))
	assert.Equal(t, "https://palim.woopy.com", w.Header().Get(acao))
	assert.Equal(t, "true", w.Header().Get(acac))
	assert.Equal(t, "X-Woopy", w.Header().Get(aceh))
	assert.Equal(t, []string{"Origin"}, w.Header().Values("Vary"), "several policies: the answer depends on Origin")
	// #2: anything else falls to pol1, "*".
	w = serve(multi, req("GET", "/", "Origin", "https://palim.com"))
	assert.Equal(t, "*", w.Header().Get(acao))
	assert.Empty(t, w.Header().Get(acac))
	assert.Equal(t, "*", w.Header().Get(aceh))
	assert.Equal(t, []string{"Origin"}, w.Header().Values("Vary"))
	// The apex is no subdomain.
	w = serve(multi, req("GET", "/", "Origin", "https://woopy.com"))
	assert.Equal(t, "*", w.Header().Get(acao))
	// #3: in the other order, pol1 takes everything.
	rev := mustNew(t, cors.Config{Policies: []cors.Policy{free, woopy}})
	w = serve(rev, req("GET", "/", "Origin", "https://palim.woopy.com"))
	assert.Equal(t, "*", w.Header().Get(acao))
	assert.Empty(t, w.Header().Get(acac))

	// Preflights use the policy chosen by origin; its methods decide.
	w = serve(multi, preflight("https://palim.woopy.com", "PUT"))
	assert.Equal(t, http.StatusNoContent, w.Code)
	assert.Equal(t, "https://palim.woopy.com", w.Header().Get(acao))
	assert.Equal(t, "true", w.Header().Get(acac))
	w = serve(multi, preflight("https://palim.com", "PUT"))
	assert.Equal(t, http.StatusNoContent, w.Code)
	assert.Equal(t, "*", w.Header().Get(acao))
}

// TestVerbMatch is wsgicors A.10 #4-#5 and the observed verbmatch vectors.
func TestVerbMatch(t *testing.T) {
	c := mustNew(t, cors.Config{MatchStrategy: cors.VerbMatch, Policies: []cors.Policy{verbWorld, verbOurs}})
	// PUT from a subdomain: pol2 does not list PUT, pol1 matches both.
	w := serve(c, preflight("https://x.ourdomain.com", "PUT"))
	assert.Equal(t, http.StatusNoContent, w.Code)
	assert.Equal(t, "https://x.ourdomain.com", w.Header().Get(acao))
	assert.Equal(t, "PUT", w.Header().Get(acam))
	// GET: pol2, "*".
	w = serve(c, preflight("https://x.ourdomain.com", "GET"))
	assert.Equal(t, http.StatusNoContent, w.Code)
	assert.Equal(t, "*", w.Header().Get(acao))
	// PUT from elsewhere: no policy. wsgicors answers 204 with pol1's
	// methods (the last policy examined, a flaw); we refuse.
	w = serve(c, preflight("https://other.com", "PUT"))
	assert.Equal(t, http.StatusForbidden, w.Code)
	assert.Empty(t, corsHeaders(w.Header()))
	// #4: the apex is not a subdomain. wsgicors names pol1 because it is
	// the last policy examined; nothing matches.
	w = serve(c, preflight("https://ourdomain.com", "PUT"))
	assert.Equal(t, http.StatusForbidden, w.Code)
	// Methods are case-sensitive.
	w = serve(c, preflight("https://x.ourdomain.com", "put"))
	assert.Equal(t, http.StatusForbidden, w.Code)
	// Actual requests choose by their own method.
	w = serve(c, req("DELETE", "/", "Origin", "https://x.ourdomain.com"))
	assert.Equal(t, "https://x.ourdomain.com", w.Header().Get(acao))
	w = serve(c, req("GET", "/", "Origin", "https://x.ourdomain.com"))
	assert.Equal(t, "*", w.Header().Get(acao))
	w = serve(c, req("DELETE", "/", "Origin", "https://other.com"))
	assert.Empty(t, w.Header().Get(acao))
	assert.Equal(t, handlerStatus, w.Code)

	// #5: with pol1's methods "*", pol1 is chosen for PUT.
	star := verbOurs
	star.AllowedMethods = []string{"*"}
	c = mustNew(t, cors.Config{MatchStrategy: cors.VerbMatch, Policies: []cors.Policy{verbWorld, star}})
	w = serve(c, preflight("https://x.ourdomain.com", "PUT"))
	assert.Equal(t, "https://x.ourdomain.com", w.Header().Get(acao))

	// A policy with an empty method list is never chosen under verbmatch
	// (as in wsgicors); one with nil methods matches every method.
	none := verbWorld
	none.AllowedMethods = []string{}
	c = mustNew(t, cors.Config{MatchStrategy: cors.VerbMatch, Policies: []cors.Policy{none}})
	assert.Empty(t, serve(c, req("GET", "/", "Origin", "https://a.example")).Header().Get(acao))
	none.AllowedMethods = nil
	c = mustNew(t, cors.Config{MatchStrategy: cors.VerbMatch, Policies: []cors.Policy{none}})
	assert.Equal(t, "*", serve(c, req("PATCH", "/", "Origin", "https://a.example")).Header().Get(acao))
	// Under verbmatch even a single "*" policy depends on the request,
	// so Vary: Origin is sent.
	assert.Equal(t, []string{"Origin"}, serve(c, req("GET", "/")).Header().Values("Vary"))
}

// TestDenyPolicy is wsgicors A.10 #7 and B10: deny ends the search with
// nothing allowed; wsgicors answers deny's preflights 204 with no header, we
// answer 403.
func TestDenyPolicy(t *testing.T) {
	c := mustNew(t, cors.Config{Policies: []cors.Policy{
		{Name: "partner", AllowedOrigins: []string{"https://partner.example"}},
		{Name: cors.DenyPolicy},
		{Name: "public", AllowedOrigins: []string{"*"}},
	}})
	w := serve(c, req("GET", "/", "Origin", "https://partner.example"))
	assert.Equal(t, "https://partner.example", w.Header().Get(acao))
	w = serve(c, req("GET", "/", "Origin", "https://other.example"))
	assert.Empty(t, corsHeaders(w.Header()), "public comes after deny: never reached")
	assert.Equal(t, handlerStatus, w.Code)
	assert.Equal(t, []string{"Origin"}, w.Header().Values("Vary"))
	w = serve(c, preflight("https://other.example", "GET"))
	assert.Equal(t, http.StatusForbidden, w.Code)
	assert.Empty(t, corsHeaders(w.Header()))
	assert.Empty(t, w.Header().Values("Vary"))
	// The policies after deny are still in the configuration.
	assert.Len(t, c.Config().Policies, 3)
}

// TestPolicyHeaders checks that each policy's own settings apply.
func TestPolicyHeaders(t *testing.T) {
	c := mustNew(t, cors.Config{Policies: []cors.Policy{
		{Name: "lan", AllowedOrigins: []string{"http://localhost:*"}, AllowPrivateNetwork: true, AllowedHeaders: []string{"X-Key"}, MaxAge: -1},
		{Name: "app", AllowedOrigins: []string{"https://app.example"}, AllowCredentials: true, AllowedMethods: []string{"PUT"}, MaxAge: 600},
	}})
	w := serve(c, preflight("http://localhost:5173", "GET", acrh, "x-key", acrpn, "true"))
	assert.Equal(t, http.Header{acao: {"http://localhost:5173"}, acam: {"GET"}, acah: {"X-Key"}, acma: {"0"}, acapn: {"true"}}, corsHeaders(w.Header()))
	assert.Equal(t, []string{preflightVaryPNA}, w.Header().Values("Vary"))
	w = serve(c, preflight("https://app.example", "PUT", acrh, "x-key", acrpn, "true"))
	require.Equal(t, http.StatusNoContent, w.Code)
	assert.Equal(t, "https://app.example", w.Header().Get(acao))
	assert.Equal(t, "x-key", w.Header().Get(acah), "credentialed any-header policy echoes")
	assert.Equal(t, "600", w.Header().Get(acma))
	assert.Empty(t, w.Header().Values(acapn), "private network is lan's only")
	assert.Equal(t, []string{preflightVary}, w.Header().Values("Vary"))
}

// TestWsgicorsVectors is the rest of wsgicors A.10, one policy at a time.
func TestWsgicorsVectors(t *testing.T) {
	with := func(change func(p *cors.Policy)) *cors.CORS {
		p := free
		change(&p)
		return mustNew(t, cors.Config{Policies: []cors.Policy{p}})
	}
	// #6: without OPTIONS, ACRM or Origin it is no preflight: the app
	// answers.
	c := with(func(*cors.Policy) {})
	for _, r := range []*http.Request{
		req("GET", "/", "Origin", "https://a.example", acrm, "GET"),
		req("OPTIONS", "/", "Origin", "https://a.example"),
		req("OPTIONS", "/", acrm, "GET"),
	} {
		assert.Equal(t, handlerStatus, serve(c, r).Code)
	}
	// #8/#9: a list of exact and subdomain origins; "example?.com" is a
	// configuration error with us (fnmatch globbing, flaw B1).
	_, err := cors.New(nil, cors.Config{Policies: []cors.Policy{{Name: "p", AllowedOrigins: []string{"http://example.com", "example?.com", "https://*.example.com"}}}})
	require.Error(t, err)
	c = with(func(p *cors.Policy) { p.AllowedOrigins = []string{"http://example.com", "https://*.example.com"} })
	for o, ok := range map[string]bool{"localhost": false, "http://example.com": true, "example2.com": false, "https://www.example.com": true} {
		w := serve(c, preflight(o, "GET"))
		w2 := serve(c, req("GET", "/", "Origin", o))
		if ok {
			assert.Equal(t, o, w.Header().Get(acao))
			assert.Equal(t, o, w2.Header().Get(acao))
		} else {
			assert.Equal(t, http.StatusForbidden, w.Code)
			assert.Empty(t, w2.Header().Get(acao))
		}
		// Flaw B7: wsgicors sends no Vary to an origin it refuses.
		assert.Equal(t, []string{"Origin"}, w2.Header().Values("Vary"))
	}
	// #10/#11: copy reflects any well-formed origin, with Vary.
	c = with(func(p *cors.Policy) { p.AllowedOrigins = []string{"copy"} })
	for _, o := range []string{"http://localhost", "https://example.com"} {
		assert.Equal(t, o, serve(c, preflight(o, "GET")).Header().Get(acao))
		w := serve(c, req("GET", "/", "Origin", o))
		assert.Equal(t, o, w.Header().Get(acao))
		assert.Equal(t, []string{"Origin"}, w.Header().Values("Vary"))
	}
	// #12/#13: "*" with credentials: wsgicors answers ACAO "*" with
	// credentials on preflights (B4) and reflects without Vary on actual
	// requests (B6). We refuse the configuration.
	_, err = cors.New(nil, cors.Config{Policies: []cors.Policy{{Name: "free", AllowedOrigins: []string{"*"}, AllowCredentials: true}}})
	require.Error(t, err)
	// #14: methods "*" echoes the requested method; never on actual
	// responses.
	w := serve(c, preflight("https://a.example", "WOOPY"))
	assert.Equal(t, "WOOPY", w.Header().Get(acam))
	assert.Empty(t, serve(c, req("GET", "/", "Origin", "https://a.example")).Header().Get(acam))
	// #15: a list that lacks the method: wsgicors sends the list anyway;
	// we refuse.
	c = with(func(p *cors.Policy) { p.AllowedMethods = []string{"PUT", "GET"} })
	assert.Equal(t, http.StatusForbidden, serve(c, preflight("https://a.example", "WOOPY")).Code)
	assert.Equal(t, "PUT", serve(c, preflight("https://a.example", "PUT")).Header().Get(acam))
	// #16: headers "*": anonymous, so the wildcard.
	c = with(func(p *cors.Policy) { p.AllowedHeaders = []string{"*"} })
	w = serve(c, preflight("https://a.example", "GET", acrh, "woopy"))
	assert.Equal(t, "*", w.Header().Get(acah))
	assert.Empty(t, serve(c, req("GET", "/", "Origin", "https://a.example")).Header().Get(acah))
	// #17: a list that lacks the header: wsgicors sends the list anyway;
	// we refuse.
	c = with(func(p *cors.Policy) { p.AllowedHeaders = []string{"Wooble"} })
	assert.Equal(t, http.StatusForbidden, serve(c, preflight("https://a.example", "GET", acrh, "woopy")).Code)
	// #18/#19: credentials on preflight and actual responses, or on
	// neither.
	c = with(func(p *cors.Policy) {
		p.AllowedOrigins = []string{"https://a.example"}
		p.AllowCredentials = true
		p.ExposeHeaders = nil
	})
	assert.Equal(t, "true", serve(c, preflight("https://a.example", "GET")).Header().Get(acac))
	assert.Equal(t, "true", serve(c, req("GET", "/", "Origin", "https://a.example")).Header().Get(acac))
	c = with(func(*cors.Policy) {})
	assert.Empty(t, serve(c, preflight("https://a.example", "GET")).Header().Values(acac))
	assert.Empty(t, serve(c, req("GET", "/", "Origin", "https://a.example")).Header().Values(acac))
	// #20/#21: max age on preflights only.
	assert.Equal(t, "100", serve(c, preflight("https://a.example", "GET")).Header().Get(acma))
	assert.Empty(t, serve(c, req("GET", "/", "Origin", "https://a.example")).Header().Values(acma))
	c = with(func(p *cors.Policy) { p.MaxAge = 0 })
	assert.Empty(t, serve(c, preflight("https://a.example", "GET")).Header().Values(acma))
	// #22/#23: exposed headers on actual responses only.
	c = with(func(p *cors.Policy) { p.ExposeHeaders = []string{"exposed"} })
	assert.Empty(t, serve(c, preflight("https://a.example", "GET")).Header().Values(aceh))
	assert.Equal(t, "exposed", serve(c, req("GET", "/", "Origin", "https://a.example")).Header().Get(aceh))
	c = with(func(p *cors.Policy) { p.ExposeHeaders = nil })
	assert.Empty(t, serve(c, req("GET", "/", "Origin", "https://a.example")).Header().Values(aceh))
}
