package microdot_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/microdot-go/microdot/microdot"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// smallBuffers shrinks the send buffer of every accepted connection, so that
// a few responses fill it, as many slow clients fill a small device's memory.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(4 << 10)
	}
	return c, err
}

// slowReaders serves app with NewServer and opens n connections that send
// pipelined requests for a large response and never read. It returns once
// the server is serving all n; the returned channel is closed once the
// server has closed them all.
func slowReaders(t *testing.T, app *microdot.App, n int) (addr string, allClosed <-chan struct{}, served <-chan error) {
	return slowReadersOf(t, app, n, "/big", 16, nil)
}

// slowReadersOf is slowReaders with count pipelined requests for path
// (/big: 256 KiB, /medium: 8 KiB, /small: 5 bytes), and the server changed
// by setup when it is not nil.
func slowReadersOf(t *testing.T, app *microdot.App, n int, path string, count int, setup func(*http.Server)) (addr string, allClosed <-chan struct{}, served <-chan error) {
	t.Helper()
	big := []byte(strings.Repeat("x", 256<<10))
	app.Get("/big", func(*microdot.Request) (*microdot.Response, error) {
		return microdot.Bytes("application/octet-stream", big), nil
	})
	app.Get("/medium", text(strings.Repeat("m", 8<<10)))
	app.Get("/small", text("small"))

	var mu sync.Mutex
	slow := map[string]bool{}
	active := map[string]bool{}
	left := n
	done, serving := make(chan struct{}), make(chan struct{})
	l := smallBuffers{listen(t)}
	srv := app.NewServer(l.Addr().String())
	if setup != nil {
		setup(srv)
	}
	srv.ConnState = func(c net.Conn, s http.ConnState) {
		mu.Lock()
		defer mu.Unlock()
		if s == http.StateActive && slow[c.RemoteAddr().String()] && !active[c.RemoteAddr().String()] {
			if active[c.RemoteAddr().String()] = true; len(active) == n {
				close(serving)
			}
		}
		if s != http.StateClosed {
			return
		}
		if slow[c.RemoteAddr().String()] {
			delete(slow, c.RemoteAddr().String())
			if left--; left == 0 {
				close(done)
			}
		}
	}
	errs := make(chan error, 1)
	go func() { errs <- srv.Serve(l) }()
	addr = l.Addr().String()
	waitServing(t, addr)

	pipelined := strings.Repeat("GET "+path+" HTTP/1.1\r\nHost: camera\r\n\r\n", count)
	for range n {
		conn, err := net.DialTimeout("tcp", addr, waitFor)
		require.NoError(t, err)
		t.Cleanup(func() { conn.Close() })
		require.NoError(t, conn.(*net.TCPConn).SetReadBuffer(4<<10))
		mu.Lock()
		slow[conn.LocalAddr().String()] = true
		mu.Unlock()
		_, err = conn.Write([]byte(pipelined))
		require.NoError(t, err)
	}
	closed(t, serving, "the server to serve every slow client")
	return addr, done, errs
}

// TestClientsThatStopReadingAreClosed: connections whose client sends
// requests and never reads the responses are closed once a write has made
// no progress for WriteStallTimeout, while other clients are served: under
// NewServer, whose WriteTimeout net/http sets for each request, and under a
// server without one, where the App sets the deadline of each response.
func TestClientsThatStopReadingAreClosed(t *testing.T) {
	middleware := func(srv *http.Server) {
		h := srv.Handler
		srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) })
	}
	noWriteTimeout := func(srv *http.Server) { srv.WriteTimeout = 0 }
	for _, tc := range []struct {
		name  string
		path  string
		count int
		setup func(*http.Server)
	}{
		{"large responses", "/big", 16, nil},
		{"responses that net/http sends after the handler", "/medium", 64, nil},
		{"the App behind middleware", "/medium", 64, middleware},
		{"large responses, no WriteTimeout", "/big", 16, noWriteTimeout},
		{"medium responses, no WriteTimeout", "/medium", 64, noWriteTimeout},
		{"small responses, no WriteTimeout", "/small", 4000, noWriteTimeout},
		{"the App behind middleware, no WriteTimeout", "/medium", 64, func(srv *http.Server) {
			middleware(srv)
			noWriteTimeout(srv)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { testClientsThatStopReading(t, tc.path, tc.count, tc.setup) })
	}
}

func testClientsThatStopReading(t *testing.T, path string, count int, setup func(*http.Server)) {
	app := quietApp()
	app.WriteStallTimeout = 300 * time.Millisecond
	addr, allClosed, served := slowReadersOf(t, app, 40, path, count, setup)
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		assert.NoError(t, app.Shutdown(ctx))
		assert.ErrorIs(t, recv(t, served, "Serve to return"), http.ErrServerClosed)
	}()

	hc := client(t)
	for range 5 {
		res, err := hc.Get("http://" + addr + "/small")
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, http.StatusOK, res.StatusCode)
	}
	closed(t, allClosed, "the server to close the connections of clients that do not read")
	res, err := hc.Get("http://" + addr + "/small")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)
}

// TestShutdownWithClientsThatStopReading: Shutdown returns when its context
// ends, and closes the connections that were still waiting for clients that
// do not read, instead of leaving them behind.
func TestShutdownWithClientsThatStopReading(t *testing.T) {
	app := quietApp()
	app.WriteStallTimeout = time.Hour
	_, allClosed, served := slowReaders(t, app, 40)

	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	stopped := make(chan error, 1)
	go func() { stopped <- app.Shutdown(ctx) }()
	assert.ErrorIs(t, recv(t, stopped, "Shutdown to return"), context.DeadlineExceeded)
	closed(t, allClosed, "Shutdown to close the connections of clients that do not read")
	assert.ErrorIs(t, recv(t, served, "Serve to return"), http.ErrServerClosed)
}

// TestRunLogsItsAddress: Run says where it listens, with the port that the
// system chose for ":0", through the App's Logger.
func TestRunLogsItsAddress(t *testing.T) {
	app, logs := loggedApp()
	done := make(chan error, 1)
	go func() { done <- app.Run("127.0.0.1:0") }()
	var addr string
	require.Eventually(t, func() bool {
		for line := range strings.Lines(logs.String()) {
			var entry struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &entry) == nil && entry.Msg == "microdot: listening" {
				addr = entry.Addr
				return true
			}
		}
		return false
	}, waitFor, 10*time.Millisecond)
	require.NotEqual(t, "127.0.0.1:0", addr)
	res, err := client(t).Get("http://" + addr + "/")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusNotFound, res.StatusCode)
	require.NoError(t, app.Shutdown(context.Background()))
	assert.NoError(t, recv(t, done, "Run to return"))
}

// TestNoStaleWriteDeadline: the deadline that bounds a response never
// fails a later write on the same kept-alive connection after the client
// paused: a 100 Continue before the App's next response, or the response
// of another handler when the App shares the server.
func TestNoStaleWriteDeadline(t *testing.T) {
	for _, tc := range []struct {
		name string
		mux  bool // the App shares the server with another handler
	}{
		{"the App alone, then a 100 Continue", false},
		{"the App in a mux, then another handler", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := quietApp()
			app.WriteStallTimeout = 100 * time.Millisecond
			app.Get("/app", text("app"))
			app.Post("/upload", func(req *microdot.Request) (*microdot.Response, error) {
				b, err := io.ReadAll(req.Body)
				if err != nil {
					return nil, err
				}
				return microdot.Text(fmt.Sprint(len(b))), nil
			})
			var h http.Handler = app
			if tc.mux {
				mux := http.NewServeMux()
				mux.Handle("/app", app)
				mux.HandleFunc("/other", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "other") })
				h = mux
			}
			srv := httptest.NewServer(h)
			defer srv.Close()
			conn, err := net.DialTimeout("tcp", srv.Listener.Addr().String(), waitFor)
			require.NoError(t, err)
			defer conn.Close()
			require.NoError(t, conn.SetDeadline(time.Now().Add(waitFor)))
			br := bufio.NewReader(conn)

			exchange := func(req string) *http.Response {
				t.Helper()
				_, err := io.WriteString(conn, req)
				require.NoError(t, err)
				res, err := http.ReadResponse(br, nil)
				require.NoError(t, err)
				_, err = io.ReadAll(res.Body)
				require.NoError(t, err)
				return res
			}
			assert.Equal(t, http.StatusOK, exchange("GET /app HTTP/1.1\r\nHost: x\r\n\r\n").StatusCode)
			time.Sleep(4 * app.WriteStallTimeout) // the first response's deadline passes

			if tc.mux {
				assert.Equal(t, http.StatusOK, exchange("GET /other HTTP/1.1\r\nHost: x\r\n\r\n").StatusCode)
				return
			}
			_, err = io.WriteString(conn, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
			require.NoError(t, err)
			cont, err := http.ReadResponse(br, nil)
			require.NoError(t, err, "the 100 Continue")
			assert.Equal(t, http.StatusContinue, cont.StatusCode)
			res := exchange("hello")
			assert.Equal(t, http.StatusOK, res.StatusCode)
		})
	}
}

// TestProgressOutlastsTheWriteTimeout: under NewServer, whose WriteTimeout
// is the stall limit, a stream that keeps sending lasts longer than the
// limit, and so does a handler that takes longer than the limit to answer.
func TestProgressOutlastsTheWriteTimeout(t *testing.T) {
	const stall = 200 * time.Millisecond
	app := quietApp()
	app.WriteStallTimeout = stall
	app.Get("/stream", func(*microdot.Request) (*microdot.Response, error) {
		return microdot.Stream("text/plain", func(ctx context.Context, w io.Writer) error {
			for i := range 8 {
				time.Sleep(stall / 4)
				if _, err := fmt.Fprintf(w, "%d", i); err != nil {
					return err
				}
			}
			return nil
		}), nil
	})
	app.Get("/slow", func(*microdot.Request) (*microdot.Response, error) {
		time.Sleep(2 * stall)
		return microdot.Text("late"), nil
	})
	l := listen(t)
	srv := app.NewServer(l.Addr().String())
	go srv.Serve(l)
	defer srv.Close()
	waitServing(t, l.Addr().String())

	for path, want := range map[string]string{"/stream": "01234567", "/slow": "late"} {
		res, err := client(t).Get("http://" + l.Addr().String() + path)
		require.NoError(t, err)
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		require.NoError(t, err, path)
		assert.Equal(t, want, string(body), path)
	}
}

func TestWriteStallLimit(t *testing.T) {
	for _, tc := range []struct {
		field, want time.Duration
	}{
		{0, microdot.DefaultWriteStallTimeout},
		{time.Second, time.Second},
		{-1, 0},
	} {
		app := microdot.New()
		app.WriteStallTimeout = tc.field
		assert.Equal(t, tc.want, app.WriteStallLimit(), "WriteStallTimeout %v", tc.field)
		assert.Equal(t, tc.want, app.NewServer(":0").WriteTimeout, "NewServer's WriteTimeout for %v", tc.field)
	}
}
