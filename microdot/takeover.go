package microdot

import (
	"bufio"
	"context"
	"errors"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"sync"
	"time"
)

// Takeover returns a response that hands the request to f once the App's
// hooks have run: f writes the response itself, at its own pace, or takes
// the connection over entirely with [http.ResponseController.Hijack]. It is
// what protocols built on HTTP use, such as WebSocket and server-sent
// events (the sse and websocket packages are built on it).
//
// The headers that hooks set (CORS headers, for one) are already in
// w.Header() when f starts, and the status is whatever f writes. w supports
// [http.ResponseController]: Flush, Hijack, SetReadDeadline and
// SetWriteDeadline. r's context is cancelled when the client goes away (for
// a connection that was not hijacked) or when the App shuts down: f must
// then return. [App.Shutdown] waits for running takeovers, hijacked or not,
// until they return or its context ends.
//
// f owns the connection's deadlines: the read and write deadlines that the
// server or the App set for ordinary responses are cleared before f starts,
// so a long-lived connection is not cut by them; f sets its own if it needs
// them (a write deadline per message, say) and, on a hijacked connection,
// closes the connection before it returns.
//
// As long as f has sent nothing (no WriteHeader, Write, Flush or Hijack),
// the request can still fail like any other: an error returned by f, or a
// panic, goes through the error handlers and AfterErrorRequest hooks (an
// [Abort] keeps its status), and the headers f added are dropped. Once f has
// sent something, an error is logged and a panic is logged and aborts the
// connection.
func Takeover(f func(w http.ResponseWriter, r *http.Request) error) *Response {
	res := &Response{StatusCode: http.StatusOK, kind: bodyHandler, value: takeover(f)}
	if f == nil {
		return res.invalid(errors.New("microdot: Takeover needs a non-nil function"))
	}
	return res
}

// takeover is the function of a Takeover response.
type takeover func(http.ResponseWriter, *http.Request) error

// ServeHTTP lets a takeover stand where an http.Handler is expected; the
// App serves it through engine.takeover instead, which adds the shutdown
// handling and the error path.
func (t takeover) ServeHTTP(w http.ResponseWriter, r *http.Request) { _ = t(w, r) }

// takeover runs f for req, whose prepared response res holds f.
func (e *engine) takeover(req *Request, c *chain, res *Response, f takeover) {
	running := &e.app.srv.running
	running.start()
	defer running.done()
	ctx, cancel := context.WithCancel(req.Context())
	defer cancel()
	stop := context.AfterFunc(e.app.shutdownContext(), cancel)
	defer stop()

	w := req.sw.ResponseWriter // the server's: f owns the deadlines
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{}) // not every writer has deadlines
	_ = rc.SetWriteDeadline(time.Time{})

	h := w.Header()
	before := maps.Clone(h)
	for k, v := range res.Header { // the headers of the response and its hooks
		h[k] = v[:len(v):len(v)]
	}
	returned := false
	defer func() {
		if !req.started && !returned { // a panic, with nothing sent: the error path follows
			clear(h)
			maps.Copy(h, before)
		}
	}()
	err := f(&takeoverWriter{w: w, req: req}, req.Request.WithContext(ctx))
	returned = true
	switch {
	case err == nil:
	case !req.started:
		clear(h)
		maps.Copy(h, before)
		e.fail(req, c, err)
	default:
		e.app.logger().LogAttrs(req.Context(), slog.LevelWarn, "microdot: takeover ended with an error",
			slog.String("path", req.URL.Path), slog.String("error", err.Error()))
	}
}

// takeoverWriter is the http.ResponseWriter of a Takeover: it notes when
// the response has started, so that a failure before that can still become
// an error response.
type takeoverWriter struct {
	w   http.ResponseWriter
	req *Request
}

func (t *takeoverWriter) Header() http.Header { return t.w.Header() }

func (t *takeoverWriter) WriteHeader(code int) {
	t.req.started = true
	t.w.WriteHeader(code)
}

func (t *takeoverWriter) Write(p []byte) (int, error) {
	t.req.started = true
	return t.w.Write(p)
}

// FlushError sends what was written so far (the headers, at least).
func (t *takeoverWriter) FlushError() error {
	t.req.started = true
	return http.NewResponseController(t.w).Flush()
}

// Hijack hands the connection over; see [http.Hijacker].
func (t *takeoverWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(t.w).Hijack()
	if err == nil {
		t.req.started = true
	}
	return conn, brw, err
}

// Unwrap returns the writer underneath, for http.ResponseController.
func (t *takeoverWriter) Unwrap() http.ResponseWriter { return t.w }

// takeovers counts the takeovers in progress, for Shutdown: a hijacked
// connection is invisible to http.Server.Shutdown.
type takeovers struct {
	mu   sync.Mutex
	n    int
	idle chan struct{} // closed when n drops to zero; nil when nobody waits
}

func (t *takeovers) start() {
	t.mu.Lock()
	t.n++
	t.mu.Unlock()
}

func (t *takeovers) done() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.n--; t.n == 0 && t.idle != nil {
		close(t.idle)
		t.idle = nil
	}
}

// wait returns when no takeover is running, or with ctx's error when ctx
// ends first.
func (t *takeovers) wait(ctx context.Context) error {
	t.mu.Lock()
	if t.n == 0 {
		t.mu.Unlock()
		return nil
	}
	if t.idle == nil {
		t.idle = make(chan struct{})
	}
	idle := t.idle
	t.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
