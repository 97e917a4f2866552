package microdot

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// flushWriter sends every Write to the client at once.
type flushWriter struct {
	ctx   context.Context
	w     http.ResponseWriter
	rc    *http.ResponseController
	stall time.Duration // how long one Write may block
}

func (f *flushWriter) Write(p []byte) (int, error) {
	if err := f.ctx.Err(); err != nil {
		return 0, err
	}
	if f.stall > 0 {
		// A client that stops reading must not hold the producer (and
		// the connection) forever: the Write fails after the stall limit.
		f.rc.SetWriteDeadline(time.Now().Add(f.stall))
	}
	n, err := f.w.Write(p)
	if err != nil {
		return n, err
	}
	if err := f.rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return n, err
	}
	return n, nil
}

// stream runs a Stream response's producer until it returns, the client goes
// away or the App shuts down.
func (e *engine) stream(req *Request, produce func(context.Context, io.Writer) error) {
	ctx, cancel := context.WithCancel(req.Context())
	defer cancel()
	stop := context.AfterFunc(e.app.shutdownContext(), cancel)
	defer stop()
	fw := &flushWriter{ctx: ctx, w: req.w, rc: http.NewResponseController(req.w), stall: e.app.streamStall()}
	// A Write blocked on a client that does not read must fail when the
	// stream is cancelled (the client left, or Shutdown began): a deadline
	// one second away unblocks it, yet leaves time for a Write in progress
	// and the final chunk, even when this runs after the reset below.
	unblock := context.AfterFunc(ctx, func() { fw.rc.SetWriteDeadline(time.Now().Add(time.Second)) })
	defer func() {
		unblock()
		// No stale deadline on a connection that lives on (keep-alive).
		fw.rc.SetWriteDeadline(time.Time{})
	}()
	// Send the status and headers now, so the client sees the stream start.
	fw.rc.Flush()
	if err := produce(ctx, fw); err != nil && ctx.Err() == nil {
		e.app.logger().LogAttrs(req.Context(), slog.LevelWarn, "microdot: stream ended with an error",
			slog.String("path", req.URL.Path), slog.String("error", err.Error()))
	}
}
