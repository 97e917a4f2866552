package microdot

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/julienschmidt/httprouter"
)

// anyMethod is the httprouter tree that holds every shape for every method; it
// answers "which routes match this path?" for 405, Allow and OPTIONS.
const anyMethod = "\x00any"

// engine is an App compiled for serving: immutable once built. Any
// registration builds a new one.
type engine struct {
	app        *App
	layers     []*httprouter.Router // one tree per method
	anyLayers  []*httprouter.Router // the same shapes in one tree for any method
	fast       *httprouter.Router   // layers[0] when it is the only layer
	maxParams  int
	maxBody    int64
	root       *chain   // hooks for requests that match no route
	allMethods []string // every method some route serves, for OPTIONS *
	scoped     bool     // some route has hooks of its own (a local sub-app)
	hasOPTS    bool     // some route serves OPTIONS explicitly
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

// shape is the set of routes that share one httprouter path.
type shape struct {
	path   string
	static bool
	routes []*route // registration order
}

func newEngine(a *App) *engine {
	e := &engine{app: a, maxBody: a.maxBody()}
	chains := map[*scope]*chain{}
	chainFor := func(s *scope) *chain {
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
	e.root = chainFor(nil)

	// Group routes by shape, keeping registration order.
	var shapes []*shape
	byPath := map[string]*shape{}
	compiled := make([]*route, len(a.routes))
	for i, rt := range a.routes {
		cp := *rt
		cp.index = i
		compiled[i] = &cp
		s := byPath[cp.pattern.shape]
		if s == nil {
			s = &shape{path: cp.pattern.shape, static: cp.pattern.static && !strings.ContainsAny(cp.pattern.shape, ":*")}
			byPath[s.path] = s
			shapes = append(shapes, s)
		}
		s.routes = append(s.routes, &cp)
		if n := len(cp.pattern.names); n > e.maxParams {
			e.maxParams = n
		}
		if cp.serves(http.MethodOptions) {
			e.hasOPTS = true
		}
	}
	all := make([]candidate, len(compiled))
	for i, rt := range compiled {
		all[i] = candidate{rt: rt}
	}
	e.allMethods = allowed(nil, all)
	chainOf := map[*route]*chain{}
	for _, rt := range compiled {
		chainOf[rt] = chainFor(rt.scope)
		e.scoped = e.scoped || chainOf[rt] != e.root
	}
	// Static shapes go first, so that they all land in the first layer.
	slices.SortStableFunc(shapes, func(x, y *shape) int {
		switch {
		case x.static && !y.static:
			return -1
		case !x.static && y.static:
			return 1
		}
		return 0
	})
	e.layers, e.anyLayers = buildLayers(shapes, func(s *shape) map[string]httprouter.Handle {
		return e.handles(s, chainOf)
	}, http.HandlerFunc(e.notFound))
	if len(e.layers) == 1 {
		e.fast = e.layers[0]
	}
	return e
}

// handles returns the httprouter handles of s, one per method tree.
func (e *engine) handles(s *shape, chainOf map[*route]*chain) map[string]httprouter.Handle {
	byMethod := map[string][]*route{}
	for _, rt := range s.routes {
		for _, m := range rt.methods {
			byMethod[m] = append(byMethod[m], rt)
		}
	}
	// HEAD: explicit HEAD routes first, then the GET routes.
	for _, rt := range s.routes {
		if rt.serves(http.MethodGet) && !rt.serves(http.MethodHead) {
			byMethod[http.MethodHead] = append(byMethod[http.MethodHead], rt)
		}
	}
	for m, cands := range byMethod {
		slices.SortStableFunc(cands, func(x, y *route) int {
			switch {
			case before(x, y, m):
				return -1
			case before(y, x, m):
				return 1
			}
			return 0
		})
	}
	byMethod[anyMethod] = s.routes
	out := map[string]httprouter.Handle{}
	for m, cands := range byMethod {
		cs := make([]candidate, len(cands))
		for i, rt := range cands {
			cs[i] = newCandidate(rt, chainOf[rt])
		}
		out[m] = e.handle(cs)
	}
	return out
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

// handle serves the candidates of one shape and method: the first that matches
// wins. When w is a probe, it only records what matches.
func (e *engine) handle(cands []candidate) httprouter.Handle {
	if len(cands) == 1 && cands[0].plain {
		// The common case, one route whose values need no check, gets a
		// closure of its own: choosing between the two per request costs
		// 2-3% more instructions (bench/instructions.sh).
		cd := &cands[0]
		return func(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
			if p, ok := w.(*probe); ok {
				p.offer(cands, ps)
				return
			}
			req := e.acquire(w, r)
			e.serveOne(req, cd, ps)
			e.release(req)
		}
	}
	return func(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
		if p, ok := w.(*probe); ok {
			p.offer(cands, ps)
			return
		}
		req := e.acquire(w, r)
		e.serveCandidates(req, cands, ps)
		e.release(req)
	}
}

// serveOne serves req with cd, a plain route, whose values need no check.
func (e *engine) serveOne(req *Request, cd *candidate, ps httprouter.Params) {
	c := cd.c
	defer e.protect(req, &c)
	req.setPlain(ps)
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

// serveCandidates serves req with the first of cands that matches, or
// answers 404 or 405.
func (e *engine) serveCandidates(req *Request, cands []candidate, ps httprouter.Params) {
	var c *chain
	defer e.protect(req, &c)
	for i := range cands {
		cd := &cands[i]
		if cd.plain {
			req.setPlain(ps)
		} else if !cd.rt.match(ps, req.vals, req.parsed, false) {
			continue
		}
		c = cd.c
		e.run(req, cd)
		return
	}
	e.noRoute(req)
}

// notFound is httprouter's NotFound handler: the path is in no tree for the
// request's method.
func (e *engine) notFound(w http.ResponseWriter, r *http.Request) {
	if _, ok := w.(*probe); ok {
		return
	}
	req := e.acquire(w, r)
	e.refuse(req, nil)
	e.release(req)
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

// buildLayers puts every shape into the first httprouter that takes it without
// a conflict. httprouter refuses a static segment beside a parameter at the
// same position; such shapes go to a further router, which is only consulted
// when the App has conflicting routes.
// The anyMethod trees go to routers of their own, so that the routers that
// serve requests hold only real methods: fewer keys make httprouter's lookup
// of the method's tree cheaper.
func buildLayers(shapes []*shape, handles func(*shape) map[string]httprouter.Handle, notFound http.Handler) (layers, anyLayers []*httprouter.Router) {
	var tries []*trie
	var assigned [][]*shape
	for _, s := range shapes {
		placed := false
		for i, t := range tries {
			if t.add(s.path) {
				assigned[i] = append(assigned[i], s)
				placed = true
				break
			}
		}
		if !placed {
			t := &trie{}
			if !t.add(s.path) {
				panic("microdot: internal error: shape " + s.path + " conflicts with an empty router")
			}
			tries = append(tries, t)
			assigned = append(assigned, []*shape{s})
		}
	}
	if len(assigned) == 0 {
		assigned = append(assigned, nil)
	}
	for _, group := range assigned {
		l, any := newLayer(group, handles, notFound)
		layers = append(layers, l)
		anyLayers = append(anyLayers, any)
	}
	return layers, anyLayers
}

func newLayer(group []*shape, handles func(*shape) map[string]httprouter.Handle, notFound http.Handler) (r, any *httprouter.Router) {
	r, any = newRouter(notFound), newRouter(notFound)
	for _, s := range group {
		for m, h := range handles(s) {
			if m == anyMethod {
				any.Handle(m, s.path, h)
			} else {
				r.Handle(m, s.path, h)
			}
		}
	}
	return r, any
}

func newRouter(notFound http.Handler) *httprouter.Router {
	r := httprouter.New()
	// The App decides about trailing slashes, fixed paths, 405 and OPTIONS.
	r.RedirectTrailingSlash = false
	r.RedirectFixedPath = false
	r.HandleMethodNotAllowed = false
	r.HandleOPTIONS = false
	r.NotFound = notFound
	return r
}

// trie predicts httprouter's conflicts for shapes made of whole segments: at
// one position, either static segments or one parameter or one catch-all.
type trie struct {
	static   map[string]*trie
	param    *trie
	catchAll bool
}

func (t *trie) add(path string) bool {
	segs := strings.Split(path[1:], "/")
	// Check first, then insert, so that a refused shape leaves no trace.
	if !t.fits(segs) {
		return false
	}
	t.insert(segs)
	return true
}

func (t *trie) fits(segs []string) bool {
	n := t
	for _, s := range segs {
		if n == nil {
			return true
		}
		switch {
		case strings.HasPrefix(s, "*"):
			return len(n.static) == 0 && n.param == nil
		case strings.HasPrefix(s, ":"):
			if len(n.static) > 0 || n.catchAll {
				return false
			}
			n = n.param
		default:
			if n.param != nil || n.catchAll {
				return false
			}
			n = n.static[s]
		}
	}
	return true
}

func (t *trie) insert(segs []string) {
	n := t
	for _, s := range segs {
		switch {
		case strings.HasPrefix(s, "*"):
			n.catchAll = true
			return
		case strings.HasPrefix(s, ":"):
			if n.param == nil {
				n.param = &trie{}
			}
			n = n.param
		default:
			if n.static == nil {
				n.static = map[string]*trie{}
			}
			c := n.static[s]
			if c == nil {
				c = &trie{}
				n.static[s] = c
			}
			n = c
		}
	}
}

// serveHTTP is the entry point of a compiled App.
func (e *engine) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if e.maxBody >= 0 && r.ContentLength > e.maxBody {
		req := e.acquire(w, r)
		e.refuse(req, errTooLarge)
		e.release(req)
		return
	}
	if r.Method == http.MethodOptions {
		e.serveOptions(w, r)
		return
	}
	if e.fast != nil && r.URL.RawPath == "" {
		e.fast.ServeHTTP(w, r)
		return
	}
	e.serveSlow(w, r)
}

// serveSlow finds the best route across every layer, for Apps with
// conflicting routes and for paths with escaped characters such as %2F.
func (e *engine) serveSlow(w http.ResponseWriter, r *http.Request) {
	req := e.acquire(w, r)
	e.serveFound(req)
	e.release(req)
}

func (e *engine) serveFound(req *Request) {
	var c *chain
	defer e.protect(req, &c)
	if cd, ok := e.find(req, req.Method); ok {
		c = cd.c
		e.run(req, &cd)
	} else {
		e.noRoute(req)
	}
}

// find looks the request's path up in every layer for method and returns the
// best candidate, with req.vals filled in.
func (e *engine) find(req *Request, method string) (candidate, bool) {
	p := req.probeFor()
	p.start(req, method)
	for _, l := range e.layers {
		l.ServeHTTP(p, &p.req)
	}
	best := p.best
	ok := p.found
	if ok {
		copy(req.vals, p.bestVals)
		copy(req.parsed, p.bestParsed)
	}
	p.finish()
	return best, ok
}

// matching returns the routes whose pattern matches the request's path, in
// registration order, whatever their method.
func (e *engine) matching(req *Request) []candidate {
	p := req.probeFor()
	p.start(req, anyMethod)
	p.collect = true
	for _, l := range e.anyLayers {
		l.ServeHTTP(p, &p.req)
	}
	out := p.all
	p.finish()
	if len(e.anyLayers) > 1 {
		// One layer gives its candidates in registration order already.
		slices.SortFunc(out, func(x, y candidate) int { return x.rt.index - y.rt.index })
	}
	return out // valid until the request's probe is used again
}

// allowed returns the methods that the routes in cands serve, in registration
// order, with HEAD after GET's routes when GET is served. It appends to
// ms[:0], so that a reused buffer spares an allocation.
func allowed(ms []string, cands []candidate) []string {
	ms = ms[:0]
	for _, cd := range cands {
		for _, m := range cd.rt.methods {
			if !contains(ms, m) {
				ms = append(ms, m)
			}
		}
	}
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
	cands := e.matching(req)
	if len(cands) == 0 {
		e.fail(req, e.root, errNotFound)
		return
	}
	req.route = cands[0].rt
	req.w.Header().Set("Allow", allowHeader(allowed(nil, cands)))
	e.fail(req, cands[0].c, errMethodNotAllowed)
}

// serveOptions answers OPTIONS requests: first the App's OptionsFuncs, then an
// explicit OPTIONS route, then the automatic reply.
func (e *engine) serveOptions(w http.ResponseWriter, r *http.Request) {
	req := e.acquire(w, r)
	e.options(req)
	e.release(req)
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
	// (Request.Allow), so that a refused CORS preflight costs no lookup.
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
	served := req.path.served
	if e.hasOPTS && contains(served, http.MethodOptions) {
		if cd, ok := e.find(req, http.MethodOptions); ok {
			c = cd.c
			e.run(req, &cd)
			return
		}
	}
	e.autoOptions(req, c, served)
}

// pathInfo is what matching the request's path against every route found.
type pathInfo struct {
	done   bool
	found  bool      // some route matches the path
	first  candidate // the earliest registered of them
	served []string  // the methods they serve (see Request.Allow)
}

// lookupPath fills in r.path, once per request.
func (r *Request) lookupPath() {
	if r.path.done {
		return
	}
	cands := r.e.matching(r)
	p := r.probeFor()
	p.methods = allowed(p.methods, cands) // a buffer the next request reuses
	r.path = pathInfo{done: true, served: p.methods}
	if len(cands) > 0 {
		r.path.found, r.path.first = true, cands[0]
	}
}

// Allow returns the methods that the routes matching the request's path
// serve, whatever the request's own method: in registration order, with
// HEAD when GET is served, and OPTIONS only when a route was registered for
// it (the automatic OPTIONS reply adds it to its Allow header). It is empty
// when no route matches. A CORS preflight handler uses it to allow exactly
// the methods that the path serves. The slice is computed on the first call;
// it must not be modified and is valid until the request ends.
func (r *Request) Allow() []string {
	r.lookupPath()
	return r.path.served
}

func (e *engine) autoOptions(req *Request, c *chain, served []string) {
	res := req.blank(http.StatusNoContent)
	res.Header.Set("Allow", allowHeader(served))
	e.finishError(req, c, res)
}

// probe is an http.ResponseWriter that the route handles recognise: instead
// of serving, they record which routes match.
type probe struct {
	req      http.Request
	url      url.URL
	owner    *Request
	escaped  bool
	collect  bool
	found    bool
	best     candidate
	bestVals []string
	tmp      []string
	// what converters made of the values, alongside bestVals and tmp
	bestParsed, tmpParsed []any
	all                   []candidate // reused: valid until the next start
	methods               []string    // a buffer for the Allow list of OPTIONS requests
	hdr                   http.Header
}

func (r *Request) probeFor() *probe {
	if r.probe == nil {
		r.probe = &probe{}
	}
	return r.probe
}

func (p *probe) start(req *Request, method string) {
	p.owner = req
	u := req.URL
	p.url.Path = u.Path
	p.escaped = u.RawPath != ""
	if p.escaped {
		p.url.Path = routingPath(u.EscapedPath())
	}
	p.req.Method = method
	p.req.URL = &p.url
	n := len(req.vals)
	if cap(p.tmp) < n {
		p.tmp, p.bestVals = make([]string, n), make([]string, n)
		p.tmpParsed, p.bestParsed = make([]any, n), make([]any, n)
	}
	p.tmp, p.bestVals = p.tmp[:n], p.bestVals[:n]
	p.tmpParsed, p.bestParsed = p.tmpParsed[:n], p.bestParsed[:n]
	p.found, p.collect = false, false
	p.all = p.all[:0]
}

func (p *probe) finish() {
	p.owner = nil
	p.req.URL = nil
	p.best = candidate{}
	clear(p.tmp)
	clear(p.bestVals)
	clear(p.tmpParsed)
	clear(p.bestParsed)
}

func (p *probe) offer(cands []candidate, ps httprouter.Params) {
	for _, cd := range cands {
		if p.found && !p.collect && !before(cd.rt, p.best.rt, p.req.Method) {
			return
		}
		if !cd.rt.match(ps, p.tmp, p.tmpParsed, p.escaped) {
			continue
		}
		if p.collect {
			p.all = append(p.all, cd)
			continue
		}
		p.found = true
		p.best = cd
		copy(p.bestVals, p.tmp)
		copy(p.bestParsed, p.tmpParsed)
		return
	}
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

func (p *probe) Header() http.Header {
	if p.hdr == nil {
		p.hdr = http.Header{}
	}
	clear(p.hdr)
	return p.hdr
}
func (p *probe) Write([]byte) (int, error) { return 0, nil }
func (p *probe) WriteHeader(int)           {}

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
