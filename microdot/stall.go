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

// stallWriter is the response writer of a request: every write to the client
// must make progress within stall (App.WriteStallTimeout), or it fails and
// net/http closes the connection. Each write extends the connection's write
// deadline; finish sends what is buffered under the deadline and then clears
// it, so that the next request on a kept-alive connection, served by this
// App or not, starts without one.
type stallWriter struct {
	http.ResponseWriter
	rc       http.ResponseController
	stall    time.Duration
	armed    bool        // a deadline is set
	unable   bool        // the writer has no deadlines (a ResponseRecorder)
	hijacked bool        // the connection is no longer the server's
	cutOff   atomic.Bool // the response is ended: no more progress is allowed
}

// extend sets the write deadline stall from now, or to now once the
// response is cut off.
func (s *stallWriter) extend() {
	if s.stall <= 0 || s.hijacked || s.unable {
		return
	}
	d := time.Now()
	if !s.cutOff.Load() {
		d = d.Add(s.stall)
	}
	// A writer without deadlines (a ResponseRecorder) cannot be bounded.
	s.armed = s.rc.SetWriteDeadline(d) == nil
	s.unable = !s.armed
}

// cut makes a write blocked on the client, and every later one, fail now. It
// may be called from another goroutine.
func (s *stallWriter) cut() {
	s.cutOff.Store(true)
	s.rc.SetWriteDeadline(time.Now())
}

func (s *stallWriter) WriteHeader(code int) {
	s.extend()
	s.ResponseWriter.WriteHeader(code)
}

func (s *stallWriter) Write(p []byte) (n int, err error) {
	for {
		k := min(len(p), stallChunk)
		s.extend()
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
		s.extend()
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

// finish sends the rest of the response under the deadline, then clears
// the deadline. A failed send leaves the connection broken, and net/http
// closes it.
func (s *stallWriter) finish() {
	if !s.armed || s.hijacked {
		return
	}
	s.FlushError()
	if !s.cutOff.Load() {
		s.rc.SetWriteDeadline(time.Time{})
	}
}
