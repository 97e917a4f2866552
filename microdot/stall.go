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
// starts, and extended after every stallChunk bytes and on every flush. It
// stays in place for what net/http sends after the handler returns (the
// buffered end of the response), and net/http clears it once the response
// is sent, so the next request on a kept-alive connection starts without
// one, whoever serves it.
type stallWriter struct {
	http.ResponseWriter
	rc       http.ResponseController
	stall    time.Duration
	armedAt  time.Time   // when the deadline was last set; zero: not set
	unsent   int         // bytes written since then
	unable   bool        // the writer has no deadlines (a ResponseRecorder)
	hijacked bool        // the connection is no longer the server's
	cutOff   atomic.Bool // the response is ended: no more progress is allowed
}

// init makes s the bounded writer of a request to app, as the request comes
// in. A server with a WriteTimeout no longer than the App's limit has set a
// deadline for the request already: s leaves it in place until the
// response starts (and renews it then if the handler took long).
func (s *stallWriter) init(app *App, w http.ResponseWriter, r *http.Request) {
	s.ResponseWriter, s.rc, s.stall = w, *http.NewResponseController(w), app.WriteStallLimit()
	srv, _ := r.Context().Value(http.ServerContextKey).(*http.Server)
	if srv != nil && s.stall > 0 && srv.WriteTimeout > 0 && srv.WriteTimeout <= s.stall {
		s.armedAt = time.Now()
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
