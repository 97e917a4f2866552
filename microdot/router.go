package microdot

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/julienschmidt/httprouter"
)

// anyMethod is the tree that holds every path of the App for any method: a
// request whose method has no route at its path finds there what 405, Allow
// and OPTIONS need.
const anyMethod = "\x00any"

// engine is an App compiled for serving: immutable once built. Any
// registration builds a new one.
//
// Every route is in one httprouter, under a path of the shared tree (see
// shapeTrie): routes that httprouter could not hold side by side, such as
// /users/new and /users/<id>, share the general path (/users/:p0) and are
// checked in order after the lookup. So a request costs one lookup, in the
// tree of its method, whatever the route set.
type engine struct {
	app        *App
	router     *httprouter.Router
	maxParams  int
	maxBody    int64
	root       *chain   // hooks for requests that match no route
	allMethods []string // every method some route serves, for OPTIONS *
	scoped     bool     // some route has hooks of its own (a local sub-app)
}

// chain holds the hooks and error handlers that apply to a route, in the
// order they run.
type chain struct {
	before     []BeforeFunc
	options    []OptionsFunc // outermost App's first
	after      []AfterFunc
	afterError []AfterFunc
	byStatus   []map[int]ErrorHandler // innermost first
	byType     [][]typeHandler        // innermost first
}

// node is one path of the tree with the routes registered under it,
// whatever their method.
type node struct {
	routes  []candidate // registration order
	options []candidate // the routes registered for OPTIONS, by priority
	checked bool        // some route checks values after the lookup
	// When no route checks values, every route matches: the answer of
	// lookupPath is the same for every request.
	first candidate
	allow []string
}

// candidate is a route as one httprouter handle serves it. What serving it
// reads of the route is copied in, so that a request reads the route's
// handler and pattern without following two more pointers (with many routes,
// each is a cache miss).
type candidate struct {
	rt      *route
	c       *chain
	handler Handler // rt.handler
	source  string  // rt.pattern.source
	plain   bool    // rt.pattern.plain
}

func newCandidate(rt *route, c *chain) candidate {
	return candidate{rt: rt, c: c, handler: rt.handler, source: rt.pattern.source, plain: rt.pattern.plain}
}

func newEngine(a *App) *engine {
	e := &engine{app: a, maxBody: a.maxBody(), router: newRouter()}
	chainFor := a.chains()
	e.root = chainFor(nil)
	e.router.NotFound = http.HandlerFunc(e.notFound)

	routes := make([]*route, len(a.routes))
	shapes := &shapeTrie{}
	for i, rt := range a.routes {
		cp := *rt
		cp.index = i
		routes[i] = &cp
		shapes.add(cp.pattern)
		e.maxParams = max(e.maxParams, len(cp.pattern.names))
	}
	shapes.generalize()

	// Fit every route to the tree and group the routes by tree path.
	var paths []string
	byPath := map[string][]candidate{}
	for _, rt := range routes {
		p, path, err := rt.pattern.fit(shapes.kinds(rt.pattern))
		if err != nil {
			panic(fmt.Sprintf("microdot: route %s beside the other routes: %v", rt.pattern.source, err))
		}
		rt.pattern = p
		c := chainFor(rt.scope)
		e.scoped = e.scoped || c != e.root
		if byPath[path] == nil {
			paths = append(paths, path)
		}
		byPath[path] = append(byPath[path], newCandidate(rt, c))
		e.allMethods = appendAllowed(e.allMethods, rt)
	}
	e.allMethods = withHead(e.allMethods)
	for _, path := range paths {
		e.add(path, byPath[path])
	}
	return e
}

// chains returns a function giving the chain of hooks of a scope (nil: the
// App's own), built once per scope.
func (a *App) chains() func(*scope) *chain {
	chains := map[*scope]*chain{}
	return func(s *scope) *chain {
		if c := chains[s]; c != nil {
			return c
		}
		apps := []*App{a}
		if s != nil {
			apps = s.apps
		}
		c := &chain{}
		for _, x := range apps {
			c.before = append(c.before, x.before...)
			c.options = append(c.options, x.options...)
		}
		for i := len(apps) - 1; i >= 0; i-- {
			c.after = append(c.after, apps[i].after...)
			c.afterError = append(c.afterError, apps[i].afterError...)
			c.byStatus = append(c.byStatus, apps[i].byStatus)
			c.byType = append(c.byType, apps[i].byType)
		}
		chains[s] = c
		return c
	}
}

// add registers the routes of one tree path: in the tree of each method
// they serve, and in the OPTIONS and anyMethod trees.
func (e *engine) add(path string, routes []candidate) {
	n := &node{routes: routes}
	for _, cd := range routes {
		n.checked = n.checked || !cd.plain
		n.allow = appendAllowed(n.allow, cd.rt)
	}
	n.allow = withHead(n.allow)
	n.first = routes[0]
	methods, byMethod := methodsOf(routes)
	for _, m := range methods {
		cands := byMethod[m]
		if m == http.MethodOptions {
			n.options = cands
			continue
		}
		e.router.Handle(m, path, e.handle(n, cands))
	}
	e.router.Handle(http.MethodOptions, path, e.handlePath(n))
	e.router.Handle(anyMethod, path, e.handlePath(n))
}

// methodsOf returns the methods that routes serve, in the order they first
// appear, and for each the routes that serve it, in priority order: HEAD is
// served by the routes registered for it, then by the GET routes.
func methodsOf(routes []candidate) ([]string, map[string][]candidate) {
	byMethod := map[string][]candidate{}
	var methods []string
	add := func(m string, cd candidate) {
		if byMethod[m] == nil {
			methods = append(methods, m)
		}
		byMethod[m] = append(byMethod[m], cd)
	}
	for _, cd := range routes {
		for _, m := range cd.rt.methods {
			add(m, cd)
		}
	}
	for _, cd := range routes {
		if cd.rt.serves(http.MethodGet) && !cd.rt.serves(http.MethodHead) {
			add(http.MethodHead, cd)
		}
	}
	for _, m := range methods {
		slices.SortStableFunc(byMethod[m], func(x, y candidate) int {
			switch {
			case before(x.rt, y.rt, m):
				return -1
			case before(y.rt, x.rt, m):
				return 1
			}
			return 0
		})
	}
	return methods, byMethod
}

// before reports whether route x takes priority over y for method: for HEAD
// a route registered for HEAD beats a GET route serving it; then a fully
// static route beats one with parameters; then the earlier registration wins.
func before(x, y *route, method string) bool {
	if method == http.MethodHead {
		if xh, yh := x.serves(method), y.serves(method); xh != yh {
			return xh
		}
	}
	if x.pattern.static != y.pattern.static {
		return x.pattern.static
	}
	return x.index < y.index
}

func newRouter() *httprouter.Router {
	r := httprouter.New()
	// The App decides about trailing slashes, fixed paths, 405 and OPTIONS.
	r.RedirectTrailingSlash = false
	r.RedirectFixedPath = false
	r.HandleMethodNotAllowed = false
	r.HandleOPTIONS = false
	return r
}

// serveHTTP is the entry point of a compiled App.
func (e *engine) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if e.maxBody >= 0 && r.ContentLength > e.maxBody {
		req := e.acquire(w, r)
		e.refuse(req, errTooLarge)
		e.release(req)
		return
	}
	if r.URL.RawPath != "" {
		// An escaped path (%2F, say) is looked up as routingPath makes it;
		// the handles unescape the values.
		if h, ps, _ := e.router.Lookup(r.Method, treePath(r.URL)); h != nil {
			h(w, r, ps)
			return
		}
		e.notFound(w, r)
		return
	}
	e.router.ServeHTTP(w, r)
}

// handle returns the httprouter handle that serves n's routes for one
// method, cands in priority order: the first that matches wins.
func (e *engine) handle(n *node, cands []candidate) httprouter.Handle {
	if len(cands) == 1 && cands[0].plain {
		// The common case, one route whose values need no check, gets a
		// closure of its own: choosing between the two per request costs
		// 2-3% more instructions (bench/instructions.sh).
		cd := &cands[0]
		return func(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
			req := e.acquire(w, r)
			req.path.node, req.path.tree = n, ps
			if r.URL.RawPath == "" {
				e.serveOne(req, cd, ps)
			} else {
				e.serveCandidates(req, cands, ps)
			}
			e.release(req)
		}
	}
	return func(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
		req := e.acquire(w, r)
		req.path.node, req.path.tree = n, ps
		e.serveCandidates(req, cands, ps)
		e.release(req)
	}
}

// handlePath returns the handle of n for OPTIONS requests and for methods
// that no route of n serves.
func (e *engine) handlePath(n *node) httprouter.Handle {
	return func(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
		e.servePath(w, r, n, ps)
	}
}

// notFound is httprouter's NotFound handler: the path is in no tree for the
// request's method. The anyMethod tree says whether it is in another.
func (e *engine) notFound(w http.ResponseWriter, r *http.Request) {
	if h, ps, _ := e.router.Lookup(anyMethod, treePath(r.URL)); h != nil {
		h(w, r, ps)
		return
	}
	e.servePath(w, r, nil, nil)
}

// servePath answers an OPTIONS request, or a request that no route serves,
// for the path at n (nil when the path is in no tree).
func (e *engine) servePath(w http.ResponseWriter, r *http.Request, n *node, ps httprouter.Params) {
	req := e.acquire(w, r)
	req.path.node, req.path.tree = n, ps
	if r.Method == http.MethodOptions {
		e.options(req)
	} else {
		e.refuse(req, nil)
	}
	e.release(req)
}

// serveOne serves req with cd, a plain route, whose values need no check.
func (e *engine) serveOne(req *Request, cd *candidate, ps httprouter.Params) {
	c := cd.c
	defer e.protect(req, &c)
	req.setPlain(ps)
	req.setPathValues(cd.rt)
	e.run(req, cd)
}

// setPlain gives req the values of a plain route: httprouter's own, which
// stay valid until the handle returns, after the response is written. A
// route without parameters gets an empty, non-nil list, which tells the
// request's accessors that the values come from httprouter.
func (r *Request) setPlain(ps httprouter.Params) {
	r.ps = ps
	if ps == nil {
		r.ps = httprouter.Params{}
	}
}

// setPathValues gives the embedded *http.Request the values of rt, for
// code that reads them with [http.Request.PathValue].
func (r *Request) setPathValues(rt *route) {
	for i, name := range rt.pattern.names {
		r.Request.SetPathValue(name, r.value(i))
	}
}

// serveCandidates serves req with the first of cands that matches, or
// answers 404 or 405.
func (e *engine) serveCandidates(req *Request, cands []candidate, ps httprouter.Params) {
	var c *chain
	defer e.protect(req, &c)
	if cd := req.pick(cands, ps); cd != nil {
		c = cd.c
		e.run(req, cd)
		return
	}
	e.noRoute(req)
}

// pick returns the first of cands that accepts the values ps, with its
// values set on req, or nil.
func (r *Request) pick(cands []candidate, ps httprouter.Params) *candidate {
	escaped := r.URL.RawPath != ""
	for i := range cands {
		cd := &cands[i]
		if cd.plain && !escaped {
			r.setPlain(ps)
		} else if !cd.rt.match(ps, r.vals, r.parsed, escaped) {
			// What a converter made of a value must not outlive its route.
			clear(r.vals)
			clear(r.parsed)
			continue
		}
		r.setPathValues(cd.rt)
		return cd
	}
	return nil
}

// refuse answers req with the error response for err, or with 404 or 405
// when err is nil.
func (e *engine) refuse(req *Request, err error) {
	var c *chain
	defer e.protect(req, &c)
	if err == nil {
		e.noRoute(req)
		return
	}
	e.fail(req, e.root, err)
}

// appendAllowed appends the methods of rt that ms lacks.
func appendAllowed(ms []string, rt *route) []string {
	for _, m := range rt.methods {
		if !contains(ms, m) {
			ms = append(ms, m)
		}
	}
	return ms
}

// withHead adds HEAD to ms when GET is there.
func withHead(ms []string) []string {
	if contains(ms, http.MethodGet) && !contains(ms, http.MethodHead) {
		ms = append(ms, http.MethodHead)
	}
	return ms
}

func allowHeader(served []string) string {
	if !contains(served, http.MethodOptions) {
		served = append(served[:len(served):len(served)], http.MethodOptions)
	}
	return strings.Join(served, ", ")
}

// noRoute answers a request that no route serves: 405 with Allow when some
// route matches the path with another method, else 404.
func (e *engine) noRoute(req *Request) {
	req.lookupPath()
	if !req.path.found {
		e.fail(req, e.root, errNotFound)
		return
	}
	first := req.path.first
	req.route = first.rt
	req.w.Header().Set("Allow", allowHeader(req.path.served))
	e.fail(req, first.c, errMethodNotAllowed)
}

func (e *engine) options(req *Request) {
	var c *chain
	defer e.protect(req, &c)
	if req.URL.Path == "*" {
		e.autoOptions(req, e.root, e.allMethods)
		return
	}
	// The OptionsFuncs (and hooks) of the Apps whose hooks apply to the
	// path's first route, which a local sub-app makes different from the
	// App's own; without one, matching waits until something asks for it
	// (Request.Allow), so that a refused CORS preflight checks no route.
	c = e.root
	if e.scoped {
		if req.lookupPath(); req.path.found {
			c, req.route = req.path.first.c, req.path.first.rt
		}
	}
	for _, f := range c.options {
		res := req.blank(http.StatusNoContent)
		if f(req, res) {
			e.finishError(req, c, res)
			return
		}
	}
	req.lookupPath()
	if !req.path.found {
		e.fail(req, e.root, errNotFound)
		return
	}
	c, req.route = req.path.first.c, req.path.first.rt
	if n := req.path.node; len(n.options) > 0 {
		if cd := req.pick(n.options, req.path.tree); cd != nil {
			c = cd.c
			e.run(req, cd)
			return
		}
	}
	e.autoOptions(req, c, req.path.served)
}

// pathInfo is where the request's path is in the tree, and what its routes
// make of it.
type pathInfo struct {
	node  *node             // nil when the path is in no tree
	tree  httprouter.Params // the values the lookup captured
	done  bool              // the fields below are filled in
	found bool              // some route matches the path
	first candidate         // the earliest registered of them
	// served holds the methods they serve (see Request.Allow)
	served []string
}

// lookupPath fills in r.path, once per request.
func (r *Request) lookupPath() {
	p := &r.path
	if p.done {
		return
	}
	p.done = true
	n := p.node
	switch {
	case n == nil:
		return
	case !n.checked:
		p.found, p.first, p.served = true, n.first, n.allow
		return
	}
	if p.tree == nil {
		// A Request kept after its request: the values are gone.
		_, p.tree, _ = r.e.router.Lookup(anyMethod, treePath(r.URL))
	}
	escaped := r.URL.RawPath != ""
	for _, cd := range n.routes {
		if !cd.rt.match(p.tree, nil, nil, escaped) {
			continue
		}
		if !p.found {
			p.found, p.first = true, cd
		}
		p.served = appendAllowed(p.served, cd.rt)
	}
	p.served = withHead(p.served)
}

// leave drops the values of the lookup, which httprouter reuses once the
// request ends; lookupPath looks the path up again if it needs them later.
func (p *pathInfo) leave() { p.tree = nil }

// Allow returns the methods that the routes matching the request's path
// serve, whatever the request's own method: in registration order, with
// HEAD when GET is served, and OPTIONS only when a route was registered for
// it (the automatic OPTIONS reply adds it to its Allow header). It is empty
// when no route matches. A CORS preflight handler uses it to allow exactly
// the methods that the path serves. The slice is computed on the first call
// and must not be modified.
func (r *Request) Allow() []string {
	r.lookupPath()
	return r.path.served
}

func (e *engine) autoOptions(req *Request, c *chain, served []string) {
	res := req.blank(http.StatusNoContent)
	res.Header.Set("Allow", allowHeader(served))
	e.finishError(req, c, res)
}

// treePath returns the path that u is looked up under.
func treePath(u *url.URL) string {
	if u.RawPath == "" {
		return u.Path
	}
	return routingPath(u.EscapedPath())
}

// routingPath decodes the percent-escapes of an escaped path except those of
// '/' and '%', so that static segments match their decoded text while an
// escaped slash stays inside its segment.
func routingPath(escaped string) string {
	var b strings.Builder
	for i := 0; i < len(escaped); i++ {
		c := escaped[i]
		if c == '%' && i+2 < len(escaped) && ishex(escaped[i+1]) && ishex(escaped[i+2]) {
			d := unhex(escaped[i+1])<<4 | unhex(escaped[i+2])
			if d != '/' && d != '%' {
				b.WriteByte(d)
				i += 2
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
