package microdot

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/julienschmidt/httprouter"
)

// route is one registered pattern, handler and method set.
type route struct {
	index   int // registration order across the whole App tree: lower wins
	pattern *pattern
	methods []string
	handler Handler
	scope   *scope // hooks and error handlers that apply
	prefix  string // the mount prefix this route was registered under
}

// Route registers h for pattern and the given methods (GET when none are given).
//
// Patterns accept Microdot's syntax and httprouter's:
//
//	/users/<id>            one segment, as a string ("<string:id>" is the same)
//	/users/<int:id>        an int: "-12" and "007" match, "abc" and "1.5" do not
//	/files/<path:p>        one or more segments, slashes included
//	/tags/<re:[a-z]+:tag>  one segment matching an RE2 regular expression
//	/v/<hex:n>             a converter registered with [App.Converter]
//	/users/:id             httprouter's named parameter (a string)
//	/static/*filepath      httprouter's catch-all: the rest of the path, with its leading slash
//
// A parameter fills a whole segment. Static and parameter routes may share a
// position (/users/new beside /users/<id>): a fully static route wins, and
// otherwise the earliest registered route that matches the path and method
// serves it. A converter that rejects a value means "no match": the next
// candidate is tried, then 404.
//
// Method names are upper-cased. An invalid or impossible pattern panics here,
// at registration, with a message naming the pattern and the reason; never at
// request time.
func (a *App) Route(pattern string, h Handler, methods ...string) {
	if h == nil {
		panic(fmt.Sprintf("microdot: route %q: nil handler", pattern))
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.mustBeOpen("register route " + pattern)
	p, err := parsePattern(pattern, a.converters)
	if err != nil {
		panic("microdot: " + err.Error())
	}
	if len(methods) == 0 {
		methods = []string{http.MethodGet}
	}
	ms := make([]string, 0, len(methods))
	for _, m := range methods {
		m = strings.ToUpper(strings.TrimSpace(m))
		if !isToken(m) {
			panic(fmt.Sprintf("microdot: route %q: method %q is not an HTTP token", pattern, m))
		}
		if !contains(ms, m) {
			ms = append(ms, m)
		}
	}
	rt := &route{pattern: p, methods: ms, handler: h}
	a.mustBeNew(rt)
	a.routes = append(a.routes, rt)
	a.changed()
}

// mustBeNew panics when rt matches the same paths as a route of a for one of
// its methods ("/a/<x>" and "/a/:y" do): the second registration could never
// serve a request. The caller holds a.mu.
func (a *App) mustBeNew(rt *route) {
	for _, old := range a.routes {
		if old.pattern.key != rt.pattern.key {
			continue
		}
		for _, m := range rt.methods {
			if old.serves(m) {
				what := rt.pattern.source
				if old.pattern.source != what {
					what += " (the same paths as " + old.pattern.source + ")"
				}
				panic(fmt.Sprintf("microdot: route %s %s is registered twice", m, what))
			}
		}
	}
}

// Get registers h for GET requests to pattern; HEAD requests are served by it too.
func (a *App) Get(pattern string, h Handler) { a.Route(pattern, h, http.MethodGet) }

// Post registers h for POST requests to pattern.
func (a *App) Post(pattern string, h Handler) { a.Route(pattern, h, http.MethodPost) }

// Put registers h for PUT requests to pattern.
func (a *App) Put(pattern string, h Handler) { a.Route(pattern, h, http.MethodPut) }

// Patch registers h for PATCH requests to pattern.
func (a *App) Patch(pattern string, h Handler) { a.Route(pattern, h, http.MethodPatch) }

// Delete registers h for DELETE requests to pattern.
func (a *App) Delete(pattern string, h Handler) { a.Route(pattern, h, http.MethodDelete) }

// Converter registers a named converter for "<name:param>" patterns of this
// App. Register it before the routes that use it; a sub-app mounted into this
// one needs its own registration, because patterns are parsed when they are
// registered. An invalid name or pattern panics.
func (a *App) Converter(name string, c Converter) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.mustBeOpen("register converter " + name)
	cc, err := compileConverter(name, c)
	if err != nil {
		panic("microdot: " + err.Error())
	}
	if a.converters == nil {
		a.converters = converterSet{}
	}
	a.converters[name] = cc
}

// match reports whether rt accepts the values httprouter captured, storing the
// parameter values in vals and the values of custom converters in parsed
// (both with room for every parameter, or both nil when only the answer
// counts). escaped says the values come from
// the escaped path and must be decoded.
func (rt *route) match(ps httprouter.Params, vals []string, parsed []any, escaped bool) bool {
	p := rt.pattern
	heads := p.segments
	if p.tail != nil {
		heads = heads[:p.tail.from]
	}
	wi, ni := 0, 0
	for _, seg := range heads {
		switch seg.kind {
		case segStatic:
			continue
		case segLiteral:
			if wi >= len(ps) || ps[wi].Value != seg.text {
				return false
			}
			wi++
			continue
		case segParam:
			if wi >= len(ps) {
				return false
			}
			v := ps[wi].Value
			wi++
			if escaped {
				var ok bool
				if v, ok = unescape(v); !ok {
					return false
				}
			}
			x, ok := seg.conv.convert(v)
			if !ok {
				return false
			}
			if vals != nil {
				vals[ni], parsed[ni] = v, x
			}
			ni++
		}
	}
	t := p.tail
	if t == nil {
		return true
	}
	if wi >= len(ps) {
		return false
	}
	v := ps[wi].Value
	if t.static {
		return v == t.text
	}
	if t.re == nil {
		if t.simple == segPath {
			v = strings.TrimPrefix(v, "/")
		}
		if escaped {
			var ok bool
			if v, ok = unescape(v); !ok {
				return false
			}
		}
		if t.simple == segPath {
			x, ok := t.conv.convert(v)
			if !ok {
				return false
			}
			if parsed != nil {
				parsed[ni] = x
			}
		}
		if vals != nil {
			vals[ni] = v
		}
		return true
	}
	m := t.re.FindStringSubmatch(v)
	if m == nil {
		return false
	}
	for i, g := range t.textGroups {
		if m[g] != t.texts[i] {
			return false
		}
	}
	for i, g := range t.groups {
		x := m[g]
		if escaped {
			var ok bool
			if x, ok = unescape(x); !ok {
				return false
			}
		}
		y, ok := t.convs[i].convert(x)
		if !ok {
			return false
		}
		if vals != nil {
			vals[ni+i], parsed[ni+i] = x, y
		}
	}
	return true
}

func unescape(s string) (string, bool) {
	if strings.IndexByte(s, '%') < 0 {
		return s, true
	}
	u, err := url.PathUnescape(s)
	return u, err == nil
}

func (rt *route) serves(method string) bool { return contains(rt.methods, method) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// isToken reports whether s is an HTTP token (RFC 9110 section 5.6.2).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !tokenChar(s[i]) {
			return false
		}
	}
	return true
}

func tokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
