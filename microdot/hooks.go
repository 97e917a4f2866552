package microdot

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
)

// Handler answers one request. A non-nil error is turned into a response by the
// error handlers (an *HTTPError from Abort keeps its status; anything else is a 500).
// A nil *Response with a nil error is an empty 204 No Content.
type Handler func(req *Request) (*Response, error)

// BeforeFunc runs before the handler. A non-nil *Response ends the chain: the handler
// is not called and that response is sent, after the AfterRequest hooks.
// A non-nil error ends the chain too, and goes to the error handlers.
type BeforeFunc func(req *Request) (*Response, error)

// AfterFunc may change res in place or return a replacement; nil keeps res.
// res is the response the handler (or an earlier hook) returned, and
// res.Header is never nil. A replacement is sent as it is.
type AfterFunc func(req *Request, res *Response) *Response

// An OptionsFunc answers OPTIONS requests before they reach routes,
// BeforeRequest hooks or the automatic OPTIONS reply; CORS preflights are its
// main use. res is a new 204 No Content response with no body and an empty
// Header. [Request.Allow]
// tells which methods the routes at the request's path serve (empty when no
// route matches); the path is only matched if the function asks, so that a
// request refused for another reason costs no lookup.
//
// The function returns true to send res, after changing its StatusCode and
// Header as it likes; the response then goes through the AfterErrorRequest
// hooks, as the automatic OPTIONS reply does. It returns false to decline:
// res is then dropped, with whatever the function set on it.
type OptionsFunc func(req *Request, res *Response) bool

// BeforeRequest adds f to the hooks that run, in registration order, after a
// route is found and before its handler. A typical use is authentication that
// answers 401 before the handler runs. They do not run for 404, 405, 413 or
// OPTIONS requests answered automatically.
func (a *App) BeforeRequest(f BeforeFunc) {
	a.register(func() { a.before = append(a.before, f) }, f == nil, "BeforeRequest")
}

// AfterRequest adds f to the hooks that run, in registration order, after a
// handler (or a BeforeRequest hook) produced a response. Use it for headers
// that every successful response carries.
func (a *App) AfterRequest(f AfterFunc) {
	a.register(func() { a.after = append(a.after, f) }, f == nil, "AfterRequest")
}

// AfterErrorRequest adds f to the hooks that run, in registration order, on
// every response that did not come through the success path: 404, 405, 413,
// Abort, an error returned by a handler or hook, a panic, the automatic
// OPTIONS reply and responses of OptionsFuncs. Together with AfterRequest it
// covers every response, which is what CORS headers need.
func (a *App) AfterErrorRequest(f AfterFunc) {
	a.register(func() { a.afterError = append(a.afterError, f) }, f == nil, "AfterErrorRequest")
}

// OptionsHandler adds f to the functions that may answer OPTIONS requests
// before routing; see [OptionsFunc].
func (a *App) OptionsHandler(f OptionsFunc) {
	a.register(func() { a.options = append(a.options, f) }, f == nil, "OptionsHandler")
}

func (a *App) register(add func(), isNil bool, what string) {
	if isNil {
		panic("microdot: " + what + " needs a non-nil function")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.mustBeOpen("add a " + what + " hook")
	add()
	a.changed()
}

// AfterRequest adds f to the hooks of this request only (Microdot's
// request.after_request). They run after the App's AfterRequest hooks, on the
// success path only.
func (r *Request) AfterRequest(f AfterFunc) {
	if f != nil {
		r.after = append(r.after, f)
	}
}

// run serves req with the route of cd, its hooks and handler. The caller
// recovers panics (see protect).
func (e *engine) run(req *Request, cd *candidate) {
	c := cd.c
	req.route = cd.rt
	req.Request.Pattern = cd.source
	var res *Response
	var err error
	for _, f := range c.before {
		if res, err = f(req); res != nil || err != nil {
			break
		}
	}
	if res == nil && err == nil {
		res, err = cd.handler(req)
	}
	if err == nil {
		res, err = req.prepare(res)
	}
	if err == nil {
		res, err = req.runAfter(&c.after, res)
	}
	if err == nil {
		res, err = req.runAfter(&req.after, res)
	}
	if err != nil {
		e.fail(req, c, err)
		return
	}
	e.write(req, c, res)
}

// runAfter runs the after hooks hs on res and returns the response they
// leave, prepared. The list may grow while it runs (a hook that adds a
// request's after hook).
func (r *Request) runAfter(hs *[]AfterFunc, res *Response) (*Response, error) {
	for i := 0; i < len(*hs); i++ {
		if next := (*hs)[i](r, res); next != nil {
			var err error
			if res, err = r.prepare(next); err != nil {
				return nil, err
			}
		}
	}
	return res, nil
}

// fail answers req with the error response for err, through the error
// handlers and the AfterErrorRequest hooks.
func (e *engine) fail(req *Request, c *chain, err error) {
	if err == errTooLarge {
		err = tooLarge(e.maxBody, nil)
	}
	res := e.errorResponse(req, c, err)
	e.finishError(req, c, res)
}

// finishError runs the AfterErrorRequest hooks on res and sends it. It runs
// under protect, like every step of a request: a panic from here on ends in
// a plain 500 (see panicked), without running the hooks again.
func (e *engine) finishError(req *Request, c *chain, res *Response) {
	req.erring = true
	res, err := req.prepare(res)
	if err == nil {
		res, err = req.runAfter(&c.afterError, res)
	}
	if err != nil {
		e.log(req, "error response cannot be sent", err)
		req.plain500()
		return
	}
	e.write(req, c, res)
}

// protect turns a panic in user code (a handler, a hook, a converter) into a
// 500 through the error handlers and AfterErrorRequest hooks of *c (the
// App's own when nil), and the App keeps serving. It is deferred once per
// request, by the function that serves it; the caller releases the request
// afterwards.
func (e *engine) protect(req *Request, c **chain) {
	if p := recover(); p != nil {
		e.panicked(req, *c, p)
	}
}

// panicked ends a request that panicked with p. A response already started
// is aborted, so that the client sees it truncated rather than complete; a
// panic on the error path ends in a plain 500; any other goes through the
// error path as a *PanicError.
func (e *engine) panicked(req *Request, c *chain, p any) {
	if p != http.ErrAbortHandler {
		e.logPanic(req, p)
	}
	switch {
	case p == http.ErrAbortHandler || req.started:
		if req.closer != nil {
			req.closer.Close()
			req.closer = nil
		}
		panic(http.ErrAbortHandler)
	case req.erring:
		req.plain500()
	default:
		if c == nil {
			c = e.root
		}
		// The error path runs error handlers and hooks, which may panic
		// in turn: that panic comes back here, as a failed error path.
		req.erring = true
		defer e.protect(req, &c)
		e.fail(req, c, &PanicError{Value: p})
	}
}

func (e *engine) logPanic(req *Request, p any) {
	e.app.logger().LogAttrs(req.Context(), slog.LevelError, "microdot: panic serving request",
		slog.String("method", req.Method), slog.String("path", req.URL.Path),
		slog.String("panic", fmt.Sprint(p)), slog.String("stack", string(debug.Stack())))
}

func (e *engine) log(req *Request, msg string, err error) {
	e.app.logger().LogAttrs(req.Context(), slog.LevelError, "microdot: "+msg,
		slog.String("method", req.Method), slog.String("path", req.URL.Path),
		slog.String("error", err.Error()))
}
