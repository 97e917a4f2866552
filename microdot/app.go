package microdot

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultMaxBodyBytes is the request body limit of a new App: 1 MiB. It is far
// above Microdot's 16 KiB, which users kept tripping over, and still small
// enough that a device with little memory is not exhausted by one client.
const DefaultMaxBodyBytes = 1 << 20

// DefaultWriteStallTimeout is how long the writing of a response may make no
// progress, on a client that does not read, unless App.WriteStallTimeout says
// otherwise.
const DefaultWriteStallTimeout = 30 * time.Second

// An App holds routes, hooks and error handlers, and serves HTTP requests with
// them. It is an [http.Handler]: it can be served by any [http.Server], wrapped
// by any net/http middleware, or mounted into another App.
//
// Configure an App (routes, hooks, handlers, fields) before it serves its
// first request, or at least not while it serves requests that depend on the
// change: registration is safe at any time, and each request sees either the
// set of routes from before a registration or the one from after it.
type App struct {
	// MaxBodyBytes limits the size of request bodies. A request that declares
	// a larger Content-Length is answered 413 before routing; a body that
	// turns out larger while it is read fails the read with an
	// *http.MaxBytesError, which becomes a 413 if the handler returns it.
	// Zero means DefaultMaxBodyBytes; a negative value means no limit.
	// Set it before the App serves its first request.
	MaxBodyBytes int64

	// WriteStallTimeout bounds every response against a client that stops
	// reading: when writing a response makes no progress for this long,
	// the write fails and the connection is closed, so that such clients
	// cannot hold connections, file descriptors and goroutines. A response
	// that keeps being read may take as long as it needs: each write that
	// makes progress extends the limit (a stream, a large file on a slow
	// link). Zero means DefaultWriteStallTimeout; a negative value means no
	// limit. It takes effect where the server supports write deadlines
	// (net/http's does), whatever server serves the App.
	WriteStallTimeout time.Duration

	// Logger receives handler panics (with their stack), errors that become
	// 500 responses and server errors. Nil means slog.Default(). Set it
	// before the App serves its first request.
	Logger *slog.Logger

	mu         sync.Mutex
	routes     []*route
	before     []BeforeFunc
	after      []AfterFunc
	afterError []AfterFunc
	options    []OptionsFunc
	byStatus   map[int]ErrorHandler
	byType     []typeHandler
	converters converterSet
	mountedIn  *App // set once this App is mounted: it is then frozen

	eng   atomic.Pointer[engine]
	hosts atomic.Pointer[hostSet] // nil: every host is allowed (see host.go)

	srv serverState
}

var _ http.Handler = (*App)(nil)

// New returns an empty App with the default body limit. With no routes it
// answers every request with 404.
func New() *App {
	return &App{}
}

// ServeHTTP dispatches r to the route that matches its path and method,
// through the App's hooks and error handlers, and writes the response to w.
// A request for a host that SetAllowedHosts does not allow gets 421 first.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if a.misdirected(w, r) {
		return
	}
	e := a.eng.Load()
	if e == nil {
		e = a.build()
	}
	e.serveHTTP(w, r)
}

// changed drops the compiled engine; the next request builds a new one.
// The caller holds a.mu.
func (a *App) changed() { a.eng.Store(nil) }

// mustBeOpen panics when a is mounted: a mounted App's routes and hooks were
// copied into its parent, so later changes would silently do nothing.
func (a *App) mustBeOpen(what string) {
	if a.mountedIn != nil {
		panic(fmt.Sprintf("microdot: cannot %s: this App is mounted into another App; register everything before Mount", what))
	}
}

func (a *App) build() *engine {
	a.mu.Lock()
	defer a.mu.Unlock()
	if e := a.eng.Load(); e != nil {
		return e
	}
	e := newEngine(a)
	a.eng.Store(e)
	return e
}

func (a *App) logger() *slog.Logger {
	if a.Logger != nil {
		return a.Logger
	}
	return slog.Default()
}

// WriteStallLimit returns the limit in force on a write that makes no
// progress (see WriteStallTimeout): DefaultWriteStallTimeout when the field
// is zero, and 0, meaning none, when it is negative. Extensions that take
// a connection over (see Takeover) bound their own writes with it.
func (a *App) WriteStallLimit() time.Duration {
	switch {
	case a.WriteStallTimeout == 0:
		return DefaultWriteStallTimeout
	case a.WriteStallTimeout < 0:
		return 0
	}
	return a.WriteStallTimeout
}

func (a *App) maxBody() int64 {
	switch {
	case a.MaxBodyBytes == 0:
		return DefaultMaxBodyBytes
	case a.MaxBodyBytes < 0:
		return -1
	}
	return a.MaxBodyBytes
}

// Mount adds the routes of sub under prefix ("/api" serves sub's "/items" at
// "/api/items"). The hooks and error handlers of sub move into a and apply to
// every route of a (Microdot's default, local=False); use [App.MountLocal] to
// keep them to sub's routes.
//
// Routes are copied now: sub is frozen, and registering anything on it later
// panics instead of being silently ignored. prefix must start with '/', must
// not end with '/' and must be static.
func (a *App) Mount(prefix string, sub *App) { a.mount(prefix, sub, false) }

// MountLocal is like [App.Mount], but sub's hooks and error handlers apply only
// to sub's own routes (Microdot's local=True). For those routes a's
// BeforeRequest hooks run before sub's, and sub's after hooks before a's;
// error handlers are looked up in sub first.
func (a *App) MountLocal(prefix string, sub *App) { a.mount(prefix, sub, true) }

func (a *App) mount(prefix string, sub *App, local bool) {
	if sub == nil || sub == a {
		panic("microdot: Mount needs another, non-nil App")
	}
	if prefix != "" && (prefix[0] != '/' || strings.HasSuffix(prefix, "/") || strings.ContainsAny(prefix, "<>:*?#")) {
		panic(fmt.Sprintf("microdot: mount prefix %q must start with '/', must not end with '/' and must be static", prefix))
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.mustBeOpen("mount into it")
	sub.mu.Lock()
	defer sub.mu.Unlock()
	sub.mustBeOpen("mount it again")

	// Build everything first: a bad pattern panics with both Apps unchanged.
	convs := mergeConverters(a.converters, sub.converters)
	routes := make([]*route, 0, len(sub.routes))
	for _, rt := range sub.routes {
		p, err := parsePattern(prefix+rt.pattern.source, convs)
		if err != nil {
			panic("microdot: mount: " + err.Error())
		}
		cp := *rt
		cp.pattern = p
		cp.prefix = prefix + rt.prefix
		if local {
			cp.scope = cp.scope.under(a, sub)
		} else {
			cp.scope = cp.scope.under(a, nil)
		}
		a.mustBeNew(&cp)
		routes = append(routes, &cp)
	}
	moved := sub.hooksOf()
	sub.mountedIn = a
	a.routes = append(a.routes, routes...)
	if !local {
		a.before = append(a.before, moved.before...)
		a.after = append(a.after, moved.after...)
		a.afterError = append(a.afterError, moved.afterError...)
		a.options = append(a.options, moved.options...)
		a.byType = append(a.byType, moved.byType...)
		for s, h := range moved.byStatus {
			if a.byStatus == nil {
				a.byStatus = map[int]ErrorHandler{}
			}
			if _, ok := a.byStatus[s]; !ok {
				a.byStatus[s] = h
			}
		}
	}
	a.changed()
}

// MountHandler serves every request under prefix with h, for any method, with
// the prefix stripped from the path (as [http.StripPrefix] does). It is how a
// plain net/http handler joins an App. The App's hooks apply to it as to any
// route: BeforeRequest hooks run first and may answer in its place, and
// AfterRequest hooks run before h writes, so the headers they set (CORS
// headers, for one) are already in place when h starts.
//
// prefix must be static: "/x/<id>" panics, since no fixed prefix could be
// stripped. A handler that needs a parameter is registered as a route
// ("/x/<id>/<path:rest>"), and reads it with [http.Request.PathValue].
func (a *App) MountHandler(prefix string, h http.Handler) {
	if h == nil {
		panic("microdot: MountHandler needs a non-nil handler")
	}
	if prefix == "" || prefix[0] != '/' || strings.HasSuffix(prefix, "/") || strings.ContainsAny(prefix, "<>:*?#") {
		panic(fmt.Sprintf("microdot: MountHandler prefix %q must start with '/', must not end with '/' and must be static, "+
			"because the prefix is stripped as http.StripPrefix does; for a parameter, register a route such as %q",
			prefix, "/x/<id>/<path:rest>"))
	}
	strip := http.StripPrefix(prefix, h)
	serve := func(req *Request) (*Response, error) {
		return &Response{kind: bodyHandler, value: strip}, nil
	}
	methods := []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodPatch, http.MethodDelete, http.MethodOptions}
	a.Route(prefix, serve, methods...)
	a.Route(prefix+"/*rest", serve, methods...)
}

func mergeConverters(sets ...converterSet) converterSet {
	out := converterSet{}
	for _, s := range sets {
		for k, v := range s {
			out[k] = v
		}
	}
	return out
}

// hooks is a snapshot of one App's hooks and error handlers.
type hooks struct {
	before     []BeforeFunc
	after      []AfterFunc
	afterError []AfterFunc
	options    []OptionsFunc
	byStatus   map[int]ErrorHandler
	byType     []typeHandler
}

// hooksOf returns a's hooks. The caller holds a.mu.
func (a *App) hooksOf() hooks {
	return hooks{
		before:     a.before,
		after:      a.after,
		afterError: a.afterError,
		options:    a.options,
		byStatus:   a.byStatus,
		byType:     a.byType,
	}
}

// scope lists the Apps whose hooks apply to a route, outermost first. A nil
// scope means "the App the route is registered on".
type scope struct {
	apps []*App
}

// under returns the scope of a route after its App is mounted into parent;
// local is the mounted App when its hooks stay local, nil when they move.
func (s *scope) under(parent, local *App) *scope {
	var inner []*App
	if s != nil {
		inner = s.apps[1:] // the first entry is the App being mounted (or moved)
	}
	apps := []*App{parent}
	if local != nil {
		apps = append(apps, local)
	}
	return &scope{apps: append(apps, inner...)}
}

// shutdownContext returns the context that is cancelled when Shutdown begins;
// streaming responses stop when it is.
func (a *App) shutdownContext() context.Context {
	return a.srv.closing()
}
