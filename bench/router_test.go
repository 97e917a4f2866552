package bench

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
)

// Comparison benchmarks: the microdot App against bare httprouter and its
// peers, on three cases. Run from this directory:
//
//	go test -run XXX -bench . -benchmem
//
// Output is grouped by case (BenchmarkStatic/..., BenchmarkParam/...,
// BenchmarkGitHubAPI/...). Every sub-benchmark first checks, outside the timed
// loop, that its router sends the request to the intended handler, so a
// misrouted 404 cannot pass for a fast router.

// contender is one router set up for the three cases.
type contender struct {
	name string
	// static serves GET /hello with a handler writing "hello".
	static func() http.Handler
	// param serves GET /user/:name with a handler writing the parameter.
	param func() http.Handler
	// github serves every route in routes; the handler for routes[i] sets
	// served = i and writes nothing.
	github func(routes []route) http.Handler
	// hooksPerRequest is how many times per request the contender's hooks
	// add one to hookCalls (0 for routers without hooks).
	hooksPerRequest int
}

var (
	served    = -1 // index of the last GitHub route handler that ran
	hookCalls int  // hook invocations, counted by the App's hooked variant
)

// appContenders holds the microdot App variants (see microdot_test.go).
var appContenders []contender

// contenders lists every router in the order the benchmarks print them.
func contenders() []contender {
	return slices.Concat(
		[]contender{httprouterContender},
		appContenders,
		[]contender{ginContender, echoContender, chiContender, serveMuxContender},
	)
}

const paramValue = "gopher"

func staticRequest() *http.Request { return httptest.NewRequest(http.MethodGet, "/hello", nil) }
func paramRequest() *http.Request {
	return httptest.NewRequest(http.MethodGet, "/user/"+paramValue, nil)
}

// checkServe serves req once into a checkWriter and checks that the
// contender's hooks ran as expected.
func checkServe(c contender, h http.Handler, req *http.Request) (*checkWriter, error) {
	w := newCheckWriter()
	before := hookCalls
	h.ServeHTTP(w, req)
	if got := hookCalls - before; got != c.hooksPerRequest {
		return w, fmt.Errorf("%s %s: %d hook calls, want %d", req.Method, req.URL.Path, got, c.hooksPerRequest)
	}
	return w, nil
}

// checkBody checks that req is answered 200 with body want.
func checkBody(c contender, h http.Handler, req *http.Request, want string) error {
	w, err := checkServe(c, h, req)
	if err != nil {
		return err
	}
	if w.code() != http.StatusOK || w.body.String() != want {
		return fmt.Errorf("%s %s: got %d %q, want 200 %q", req.Method, req.URL.Path, w.code(), w.body.String(), want)
	}
	return nil
}

// checkRoutes checks that reqs[i] runs the handler of route i, which answers
// 200 or 204 (an App handler returning a nil response) with an empty body. It
// returns one message per failing route.
func checkRoutes(c contender, h http.Handler, reqs []*http.Request) []string {
	var errs []string
	for i, req := range reqs {
		served = -1
		w, err := checkServe(c, h, req)
		switch {
		case err != nil:
			errs = append(errs, err.Error())
		case served != i:
			errs = append(errs, fmt.Sprintf("%s %s: served by route %d, want %d (status %d)", req.Method, req.URL.Path, served, i, w.code()))
		case w.code() != http.StatusOK && w.code() != http.StatusNoContent || w.body.Len() != 0:
			errs = append(errs, fmt.Sprintf("%s %s: got %d %q, want 200 or 204 and no body", req.Method, req.URL.Path, w.code(), w.body.String()))
		}
	}
	return errs
}

// benchServe times h serving req through one reused discardWriter.
func benchServe(b *testing.B, h http.Handler, req *http.Request) {
	w := newDiscardWriter()
	b.ReportAllocs()
	for b.Loop() {
		w.reset()
		h.ServeHTTP(w, req)
	}
}

// benchServeAll times h serving every request in reqs; one op is one pass.
func benchServeAll(b *testing.B, h http.Handler, reqs []*http.Request) {
	w := newDiscardWriter()
	b.ReportAllocs()
	for b.Loop() {
		for _, req := range reqs {
			w.reset()
			h.ServeHTTP(w, req)
		}
	}
}

// BenchmarkStatic: one route, GET /hello, whose handler writes "hello".
func BenchmarkStatic(b *testing.B) {
	for _, c := range contenders() {
		b.Run(c.name, func(b *testing.B) {
			h, req := c.static(), staticRequest()
			if err := checkBody(c, h, req, "hello"); err != nil {
				b.Fatal(err)
			}
			benchServe(b, h, req)
		})
	}
}

// BenchmarkParam: one route, GET /user/:name, whose handler writes the
// parameter's value.
func BenchmarkParam(b *testing.B) {
	for _, c := range contenders() {
		b.Run(c.name, func(b *testing.B) {
			h, req := c.param(), paramRequest()
			if err := checkBody(c, h, req, paramValue); err != nil {
				b.Fatal(err)
			}
			benchServe(b, h, req)
		})
	}
}

// BenchmarkGitHubAPI: the 203-route GitHub API; one op requests every route
// once.
func BenchmarkGitHubAPI(b *testing.B) {
	for _, c := range contenders() {
		b.Run(c.name, func(b *testing.B) {
			h, reqs := c.github(githubAPI), newRouteRequests(githubAPI)
			if errs := checkRoutes(c, h, reqs); len(errs) > 0 {
				b.Fatalf("%d of %d routes misrouted, first: %s", len(errs), len(reqs), errs[0])
			}
			benchServeAll(b, h, reqs)
		})
	}
}

// TestRoutesServed checks, for every router in the benchmarks, the two
// single-route cases and that every GitHub API route reaches its own handler.
func TestRoutesServed(t *testing.T) {
	if len(githubAPI) != githubRouteCount {
		t.Fatalf("GitHub API set has %d routes, want %d", len(githubAPI), githubRouteCount)
	}
	seen := make(map[route]bool)
	for _, rt := range githubAPI {
		if seen[rt] {
			t.Errorf("duplicate route %s %s", rt.method, rt.path)
		}
		seen[rt] = true
	}
	for _, c := range contenders() {
		t.Run(c.name, func(t *testing.T) {
			if err := checkBody(c, c.static(), staticRequest(), "hello"); err != nil {
				t.Error("static:", err)
			}
			if err := checkBody(c, c.param(), paramRequest(), paramValue); err != nil {
				t.Error("param:", err)
			}
			for _, e := range checkRoutes(c, c.github(githubAPI), newRouteRequests(githubAPI)) {
				t.Error("github:", e)
			}
		})
	}
}
