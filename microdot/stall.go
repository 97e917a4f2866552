package microdot

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// stallChunk is the most that one write to the client carries, so that a
// large body on a slow link that keeps reading extends its deadline often
// enough.
const stallChunk = 64 << 10

// cutGrace is how long a write that is under way when a response is cut
// off (the client left, or Shutdown began) may still take: enough to finish
// a write in progress and send the end of the response, not enough for a
// client that does not read to hold the connection.
const cutGrace = time.Second

// stallWriter is the response writer of a request: every write to the client
// must make progress within stall (App.WriteStallTimeout), or it fails and
// net/http closes the connection. The deadline is set when the response
// starts, and extended after every stallChunk bytes and on every flush.
//
// What happens after the response depends on who else writes to the
// connection. When the App is the server's handler (Run, NewServer, or
// http.Server{Handler: app}), every request on the connection comes through
// the App and sets its own deadline as it starts, so the deadline is left in
// place and covers the rest of the response, which net/http sends after the
// handler returns. Otherwise (the App behind middleware or in a mux), finish
// sends the rest under the deadline and clears it, so that the next request
// on a kept-alive connection starts without one, whoever serves it.
type stallWriter struct {
	http.ResponseWriter
	rc       http.ResponseController
	stall    time.Duration
	keep     bool        // the App serves every request of the connection
	armedAt  time.Time   // when the deadline was last set; zero: not set
	unsent   int         // bytes written since then
	unable   bool        // the writer has no deadlines (a ResponseRecorder)
	hijacked bool        // the connection is no longer the server's
	cutOff   atomic.Bool // the response is ended: no more progress is allowed
}

// init makes s the bounded writer of a request to app, as the request comes
// in. A server with a WriteTimeout no longer than the App's limit has set a
// deadline for the request already, and sets a new one for the next request
// on the connection: s leaves it in place. When the App serves every
// request of the connection, s sets the deadline at once (one left by the
// previous response must not fail what net/http writes for this request
// before its response, a 100 Continue) and leaves it in place.
func (s *stallWriter) init(app *App, w http.ResponseWriter, r *http.Request) {
	s.ResponseWriter, s.rc, s.stall = w, *http.NewResponseController(w), app.writeStall()
	srv, _ := r.Context().Value(http.ServerContextKey).(*http.Server)
	switch {
	case srv == nil || s.stall <= 0:
	case srv.WriteTimeout > 0 && srv.WriteTimeout <= s.stall:
		s.keep, s.armedAt = true, time.Now()
	case srv.Handler == http.Handler(app):
		s.keep = true
		s.extend()
	}
}

// extend sets the write deadline stall from now, or cutGrace from now once
// the response is cut off.
func (s *stallWriter) extend() {
	if s.stall <= 0 || s.hijacked || s.unable {
		return
	}
	now := time.Now()
	d := now.Add(s.stall)
	if s.cutOff.Load() {
		d = now.Add(cutGrace)
	}
	// A writer without deadlines (a ResponseRecorder) cannot be bounded.
	if s.rc.SetWriteDeadline(d) != nil {
		s.unable = true
		return
	}
	s.armedAt, s.unsent = now, 0
}

// progress extends the deadline before n more bytes are written, when it is
// not set yet or when stallChunk bytes went out under it.
func (s *stallWriter) progress(n int) {
	if s.armedAt.IsZero() || s.unsent >= stallChunk {
		s.extend()
	}
	s.unsent += n
}

// cut makes a write blocked on the client, and every later one, fail within
// cutGrace. It may be called from another goroutine.
func (s *stallWriter) cut() {
	s.cutOff.Store(true)
	s.rc.SetWriteDeadline(time.Now().Add(cutGrace))
}

func (s *stallWriter) WriteHeader(code int) {
	// A deadline set as the request came in may be old by now, when the
	// handler took its time before answering.
	if !s.armedAt.IsZero() && time.Since(s.armedAt) > s.stall/2 {
		s.extend()
	}
	s.progress(0)
	s.ResponseWriter.WriteHeader(code)
}

func (s *stallWriter) Write(p []byte) (n int, err error) {
	for {
		k := min(len(p), stallChunk)
		s.progress(k)
		m, err := s.ResponseWriter.Write(p[:k])
		n += m
		if err != nil || k == len(p) {
			return n, err
		}
		p = p[k:]
	}
}

func (s *stallWriter) WriteString(str string) (n int, err error) {
	for {
		k := min(len(str), stallChunk)
		s.progress(k)
		m, err := io.WriteString(s.ResponseWriter, str[:k])
		n += m
		if err != nil || k == len(str) {
			return n, err
		}
		str = str[k:]
	}
}

// FlushError sends what is buffered to the client.
func (s *stallWriter) FlushError() error {
	s.extend()
	return s.flush()
}

// flush sends what is buffered under the deadline in force.
func (s *stallWriter) flush() error {
	if err := s.rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	return nil
}

// Flush is FlushError for handlers that look for an http.Flusher.
func (s *stallWriter) Flush() { s.FlushError() }

// Hijack hands the connection over, without a deadline: a WebSocket behind
// MountHandler lives as long as it likes.
func (s *stallWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := s.rc.Hijack()
	if err == nil {
		s.hijacked = true
		conn.SetWriteDeadline(time.Time{})
	}
	return conn, rw, err
}

// Unwrap gives http.ResponseController the underlying writer.
func (s *stallWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// finish ends the response. Unless the deadline may stay (see stallWriter),
// it sends the rest of the response under the deadline, then clears the
// deadline. A failed send leaves the connection broken, and net/http closes
// it.
func (s *stallWriter) finish() {
	if s.armedAt.IsZero() || s.hijacked || s.keep {
		return
	}
	s.flush()
	if !s.cutOff.Load() {
		s.rc.SetWriteDeadline(time.Time{})
	}
}
