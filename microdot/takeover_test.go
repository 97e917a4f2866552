package microdot_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/microdot-go/microdot/microdot"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// takeoverApp serves f at /t behind an AfterRequest hook that sets a header,
// as the CORS extension does.
func takeoverApp(f func(http.ResponseWriter, *http.Request) error) *microdot.App {
	app := quietApp()
	app.AfterRequest(func(req *microdot.Request, res *microdot.Response) *microdot.Response {
		res.Header.Set("X-Hook", "ran")
		return nil
	})
	app.Get("/t", func(*microdot.Request) (*microdot.Response, error) { return microdot.Takeover(f), nil })
	return app
}

// dialRaw opens a TCP connection to srv and sends a GET for path.
func dialRaw(t *testing.T, srv *httptest.Server, path string) (net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	_, err = io.WriteString(conn, "GET "+path+" HTTP/1.1\r\nHost: x\r\n\r\n")
	require.NoError(t, err)
	return conn, bufio.NewReader(conn)
}

func TestTakeoverSeesHookHeadersAndFlushes(t *testing.T) {
	noLeaks(t)
	release := make(chan struct{})
	app := takeoverApp(func(w http.ResponseWriter, r *http.Request) error {
		assert.Equal(t, "ran", w.Header().Get("X-Hook"), "the hooks run before the takeover")
		w.Header().Set("Content-Type", "text/x-test")
		io.WriteString(w, "first")
		require.NoError(t, http.NewResponseController(w).Flush())
		<-release // the client reads "first" while the response is still open
		return nil
	})
	srv := startServer(t, app)
	res, err := client(t).Get(srv.URL + "/t")
	require.NoError(t, err)
	defer res.Body.Close()
	assert.Equal(t, "ran", res.Header.Get("X-Hook"))
	assert.Equal(t, "text/x-test", res.Header.Get("Content-Type"))
	buf := make([]byte, 5)
	_, err = io.ReadFull(res.Body, buf)
	require.NoError(t, err)
	assert.Equal(t, "first", string(buf))
	close(release)
	rest, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	assert.Empty(t, rest)
}

func TestTakeoverHijacksWithoutServerDeadlines(t *testing.T) {
	noLeaks(t)
	const timeout = 100 * time.Millisecond
	app := takeoverApp(func(w http.ResponseWriter, r *http.Request) error {
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return err
		}
		defer conn.Close()
		io.WriteString(conn, "HTTP/1.1 101 Switching Protocols\r\nX-Hook: "+w.Header().Get("X-Hook")+"\r\n\r\n")
		line, err := brw.ReadString('\n') // arrives after the server's read and write timeouts
		if err != nil {
			return err
		}
		_, err = io.WriteString(conn, "echo "+line)
		return err
	})
	srv := httptest.NewUnstartedServer(app)
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = timeout, timeout
	srv.Start()
	t.Cleanup(srv.Close)

	conn, br := dialRaw(t, srv, "/t")
	status, err := br.ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "HTTP/1.1 101 Switching Protocols\r\n", status)
	hook, err := br.ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "X-Hook: ran\r\n", hook)
	_, err = br.ReadString('\n')
	require.NoError(t, err)
	time.Sleep(3 * timeout) // past both deadlines: the takeover owns the connection
	_, err = io.WriteString(conn, "hello\n")
	require.NoError(t, err)
	conn.SetReadDeadline(time.Now().Add(waitFor))
	echo, err := br.ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "echo hello\n", echo)
}

func TestTakeoverFailsLikeAHandlerUntilItSends(t *testing.T) {
	tests := []struct {
		name   string
		f      func(http.ResponseWriter, *http.Request) error
		status int
		body   string
		logged string
	}{
		{"abort before sending", func(w http.ResponseWriter, r *http.Request) error {
			w.Header().Set("X-Dropped", "1")
			return microdot.Abort(http.StatusForbidden, "not yours")
		}, http.StatusForbidden, "not yours", ""},
		{"error before sending", func(w http.ResponseWriter, r *http.Request) error {
			w.Header().Set("X-Dropped", "1")
			return errors.New("broken")
		}, http.StatusInternalServerError, "Internal Server Error", "broken"},
		{"panic before sending", func(w http.ResponseWriter, r *http.Request) error {
			w.Header().Set("X-Dropped", "1")
			panic("boom")
		}, http.StatusInternalServerError, "Internal Server Error", "boom"},
		{"error after sending", func(w http.ResponseWriter, r *http.Request) error {
			io.WriteString(w, "partial")
			return errors.New("late failure")
		}, http.StatusOK, "partial", "late failure"},
		{"nil function", nil, http.StatusInternalServerError, "Internal Server Error", "non-nil function"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, log := loggedApp()
			app.AfterErrorRequest(func(req *microdot.Request, res *microdot.Response) *microdot.Response {
				res.Header.Set("X-Error-Hook", "ran")
				return nil
			})
			app.Get("/t", func(*microdot.Request) (*microdot.Response, error) { return microdot.Takeover(tt.f), nil })
			res := microdot.NewTestClient(app).Get("/t")
			assert.Equal(t, tt.status, res.StatusCode)
			assert.Equal(t, tt.body, res.Text())
			assert.Empty(t, res.Header.Get("X-Dropped"), "headers of a failed takeover are dropped")
			if tt.status != http.StatusOK {
				assert.Equal(t, "ran", res.Header.Get("X-Error-Hook"))
			}
			assert.Contains(t, log.String(), tt.logged)
		})
	}
}

func TestTakeoverPanicAfterSendingAbortsAndIsLogged(t *testing.T) {
	app, log := loggedApp()
	app.Get("/t", func(*microdot.Request) (*microdot.Response, error) {
		return microdot.Takeover(func(w http.ResponseWriter, r *http.Request) error {
			io.WriteString(w, "partial")
			http.NewResponseController(w).Flush()
			panic("late boom")
		}), nil
	})
	srv := startServer(t, app)
	res, err := client(t).Get(srv.URL + "/t")
	require.NoError(t, err)
	defer res.Body.Close()
	_, err = io.ReadAll(res.Body)
	assert.Error(t, err, "the client sees the response cut short")
	assert.Contains(t, log.String(), "late boom")
}

func TestShutdownEndsAndWaitsForTakeovers(t *testing.T) {
	noLeaks(t)
	started, finished := make(chan struct{}), make(chan struct{})
	app := takeoverApp(func(w http.ResponseWriter, r *http.Request) error {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return err
		}
		defer conn.Close()
		close(started)
		<-r.Context().Done() // Shutdown cancels it, though the connection is hijacked
		time.Sleep(50 * time.Millisecond)
		close(finished)
		return nil
	})
	srv := startServer(t, app)
	dialRaw(t, srv, "/t")
	recv(t, started, "the takeover to start")
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	require.NoError(t, app.Shutdown(ctx))
	select {
	case <-finished:
	default:
		t.Fatal("Shutdown returned before the takeover did")
	}
}

func TestShutdownGivesUpOnATakeoverWhenItsContextEnds(t *testing.T) {
	noLeaks(t)
	started, release, finished := make(chan struct{}), make(chan struct{}), make(chan struct{})
	app := takeoverApp(func(w http.ResponseWriter, r *http.Request) error {
		defer close(finished)
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return err
		}
		defer conn.Close()
		close(started)
		<-release // ignores the shutdown
		return nil
	})
	srv := startServer(t, app)
	dialRaw(t, srv, "/t")
	recv(t, started, "the takeover to start")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, app.Shutdown(ctx), context.DeadlineExceeded)
	close(release)
	recv(t, finished, "the takeover to return")
}

func TestTakeoverWithoutHijackerIsAnErrorNotAPanic(t *testing.T) {
	app := takeoverApp(func(w http.ResponseWriter, r *http.Request) error {
		_, _, err := http.NewResponseController(w).Hijack()
		if !errors.Is(err, http.ErrNotSupported) {
			return errors.New("expected ErrNotSupported")
		}
		return microdot.Abort(http.StatusNotImplemented, "no hijacking here")
	})
	res := microdot.NewTestClient(app).Get("/t")
	assert.Equal(t, http.StatusNotImplemented, res.StatusCode)
	assert.True(t, strings.HasPrefix(res.Text(), "no hijacking"))
}

// noLeaks fails t if goroutines that were not running when it was called
// are still running once t and its cleanups (servers closed) are done.
func noLeaks(t *testing.T) {
	t.Helper()
	running := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, running) })
}
