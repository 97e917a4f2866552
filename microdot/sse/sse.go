// Package sse serves Server-Sent Events, as Microdot's sse extension does
// (with_sse and sse.send): a handler sends events to a browser's
// EventSource over one long response.
//
//	app.Get("/events", sse.Handler(func(req *microdot.Request, s *sse.SSE) error {
//		for i := 1; ; i++ {
//			select {
//			case <-req.Context().Done(): // the client left or the server shuts down
//				return nil
//			case <-time.After(time.Second):
//			}
//			if err := s.Send(map[string]int{"counter": i}); err != nil {
//				return err
//			}
//		}
//	}))
//
// Every event is flushed as it is sent. The response starts (status 200,
// Content-Type: text/event-stream, Cache-Control: no-cache, and the headers
// that hooks such as CORS set) with the first event or heartbeat, so a
// handler that fails before sending anything still gets an error response.
// Multi-line data is sent as several data lines, and an event name or id
// that would break the stream (CR or LF) is refused.
//
// [Reader] and [ReadEvents] parse an event stream, for tests and clients.
package sse

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/microdot-go/microdot/microdot"
)

// DefaultHeartbeat is how often a stream that sends nothing else sends a
// comment, unless Config.Heartbeat says otherwise: often enough that
// proxies and browsers do not drop an idle stream, and that a client that
// left is noticed.
const DefaultHeartbeat = 15 * time.Second

// Config adjusts the event streams of the handlers it makes.
type Config struct {
	// Heartbeat is the interval of the comments that keep an idle stream
	// alive. Zero means DefaultHeartbeat; a negative value sends none.
	Heartbeat time.Duration
}

// Handler returns a handler that answers with an event stream and runs f
// to send its events, with the default Config. See [Config.Handler].
func Handler(f func(req *microdot.Request, s *SSE) error) microdot.Handler {
	return Config{}.Handler(f)
}

// Handler returns a handler that answers with an event stream and runs f to
// send its events, until f returns, the client leaves or the App shuts down.
// When the stream ends, req.Context() is done and Send returns an error, so
// f should return.
//
// An error returned by f, or a panic, before anything was sent becomes an
// error response through the App's error handlers (an [microdot.Abort]
// keeps its status); afterwards it ends the stream and is logged. A write
// blocked on a client that does not read fails after the App's
// WriteStallTimeout.
func (c Config) Handler(f func(req *microdot.Request, s *SSE) error) microdot.Handler {
	if f == nil {
		panic("sse: Handler needs a non-nil function")
	}
	return func(req *microdot.Request) (*microdot.Response, error) {
		stall := req.App().WriteStallLimit()
		return microdot.Takeover(func(w http.ResponseWriter, r *http.Request) error {
			return c.serve(req, w, r, stall, f)
		}), nil
	}
}

// serve runs one event stream.
func (c Config) serve(req *microdot.Request, w http.ResponseWriter, r *http.Request, stall time.Duration,
	f func(*microdot.Request, *SSE) error) error {
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	s := &SSE{ctx: ctx, w: w, rc: http.NewResponseController(w), stall: stall,
		lastID: r.Header.Get("Last-Event-ID")}
	// A write blocked on a client that does not read fails as soon as the
	// stream ends: a deadline in the past unblocks it.
	unblocked := make(chan struct{})
	unblock := context.AfterFunc(ctx, func() {
		defer close(unblocked)
		s.rc.SetWriteDeadline(time.Now())
	})
	defer func() {
		if !unblock() {
			<-unblocked // or its past deadline would land after the clearing below
		}
		s.rc.SetWriteDeadline(time.Time{}) // the connection may serve more requests
	}()
	if every := c.heartbeat(); every > 0 {
		var wg sync.WaitGroup
		wg.Go(func() { s.beat(every) })
		defer wg.Wait() // after cancel, which ends beat (defers run last first)
		defer cancel()
	}
	if r.Method == http.MethodHead { // the headers of the stream, without running it
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.start()
	}
	req.Request = r.WithContext(ctx)
	err := f(req, s)
	if err == nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.start() // a stream with no events is still a stream
	}
	return err
}

func (c Config) heartbeat() time.Duration {
	if c.Heartbeat == 0 {
		return DefaultHeartbeat
	}
	return c.Heartbeat
}

// SSE is one event stream, given to the function of a Handler. Its methods
// are safe for concurrent use.
type SSE struct {
	ctx    context.Context
	w      http.ResponseWriter
	rc     *http.ResponseController
	stall  time.Duration
	lastID string

	mu      sync.Mutex
	started bool
	err     error // the first write error: the stream is over
}

// LastEventID returns the id of the last event that a reconnecting client
// received (its Last-Event-ID header), or "" on a first connection, so that
// the handler can resume from there.
func (s *SSE) LastEventID() string { return s.lastID }

// Context returns the stream's context, done when the client leaves, the
// App shuts down or the handler returns.
func (s *SSE) Context() context.Context { return s.ctx }

// Send sends an event with data: a string or []byte as is, anything else
// encoded as JSON. Data with line breaks is sent as several data lines,
// which the client joins back with "\n". Options name the event, give it
// an id and set the client's reconnection delay. Send returns an error
// when the stream has ended (the client left or the App shuts down), when
// data cannot be encoded, or when an option is invalid; nothing is sent then.
func (s *SSE) Send(data any, opts ...Option) error {
	b, err := encodeEvent(data, opts)
	if err != nil {
		return err
	}
	return s.write(b)
}

// Comment sends text as a comment, which clients ignore: a heartbeat that
// keeps the connection open through proxies and tells the server whether
// the client is still there. Text with line breaks becomes several comment
// lines.
func (s *SSE) Comment(text string) error {
	return s.write(encodeComment(text))
}

// ErrClosed is returned by Send and Comment once the stream has ended.
var ErrClosed = errors.New("sse: the event stream has ended (the client left or the server is shutting down)")

func (s *SSE) write(b []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	if s.ctx.Err() != nil {
		s.err = ErrClosed
		return s.err
	}
	if err := s.start(); err != nil {
		return err
	}
	if s.stall > 0 {
		s.rc.SetWriteDeadline(time.Now().Add(s.stall))
	}
	_, err := s.w.Write(b)
	if err == nil {
		err = s.rc.Flush()
	}
	if err != nil {
		s.err = fmt.Errorf("%w: %w", ErrClosed, err)
		return s.err
	}
	return nil
}

// start sends the status and headers, once. The caller holds s.mu.
func (s *SSE) start() error {
	if s.started {
		return nil
	}
	s.started = true
	h := s.w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Del("Content-Length")
	s.w.WriteHeader(http.StatusOK)
	if err := s.rc.Flush(); err != nil {
		s.err = fmt.Errorf("%w: %w", ErrClosed, err)
		return s.err
	}
	return nil
}

// beat sends a comment every interval until the stream ends.
func (s *SSE) beat(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
			if s.Comment("") != nil {
				return
			}
		}
	}
}
