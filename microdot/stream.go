package microdot

import (
	"context"
	"io"
	"log/slog"
)

// flushWriter sends every Write of a stream to the client at once.
type flushWriter struct {
	ctx context.Context
	sw  *stallWriter
}

func (f *flushWriter) Write(p []byte) (int, error) {
	if err := f.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := f.sw.Write(p)
	if err != nil {
		return n, err
	}
	return n, f.sw.FlushError()
}

// stream runs a Stream response's producer until it returns, the client goes
// away or the App shuts down.
func (e *engine) stream(req *Request, produce func(context.Context, io.Writer) error) {
	ctx, cancel := context.WithCancel(req.Context())
	defer cancel()
	stop := context.AfterFunc(e.app.shutdownContext(), cancel)
	defer stop()
	sw := req.writer()
	fw := &flushWriter{ctx: ctx, sw: sw}
	// A Write blocked on a client that does not read must fail when the
	// stream is cancelled (the client left, or Shutdown began): a deadline
	// in the past unblocks it.
	unblock := context.AfterFunc(ctx, sw.cut)
	defer unblock() // also when produce panics
	// Send the status and headers now, so the client sees the stream start.
	sw.FlushError()
	err := produce(ctx, fw)
	// The producer is done: the end of the stream is sent as any response's
	// end is, bounded by the stall limit, so that a stream ended by
	// Shutdown ends cleanly for a client that reads.
	unblock()
	sw.cutOff.Store(false)
	if err != nil && ctx.Err() == nil {
		e.app.logger().LogAttrs(req.Context(), slog.LevelWarn, "microdot: stream ended with an error",
			slog.String("path", req.URL.Path), slog.String("error", err.Error()))
	}
}
