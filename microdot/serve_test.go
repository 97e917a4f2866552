package microdot_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/microdot-go/microdot/microdot"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestServeAndShutdown(t *testing.T) {
	app := quietApp()
	app.Get("/hello", text("hello"))
	l := listen(t)
	served := make(chan error, 1)
	go func() { served <- app.Serve(l) }()
	waitServing(t, l.Addr().String())

	res, err := client(t).Get("http://" + l.Addr().String() + "/hello")
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, "hello", string(body))

	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	require.NoError(t, app.Shutdown(ctx))
	assert.NoError(t, recv(t, served, "Serve to return"), "Serve returns nil after Shutdown")
	_, err = netDial(l.Addr().String())
	assert.Error(t, err, "the listener is closed")
}

// waitClosed waits until addr refuses connections.
func waitClosed(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for time.Now().Before(deadline) {
		c, err := netDial(addr)
		if err != nil {
			return
		}
		c.Close()
		time.Sleep(5 * time.Millisecond)
	}
	require.FailNow(t, "the listener was not closed")
}

// inFlight registers /slow, which blocks until release is closed.
func inFlight(app *microdot.App) (started, release chan struct{}) {
	started, release = make(chan struct{}), make(chan struct{})
	app.Get("/slow", func(req *microdot.Request) (*microdot.Response, error) {
		close(started)
		<-release
		return microdot.Text("finished"), nil
	})
	return started, release
}

type result struct {
	status int
	body   string
	err    error
}

func getAsync(t *testing.T, url string) <-chan result {
	ch := make(chan result, 1)
	hc := client(t)
	go func() {
		res, err := hc.Get(url)
		if err != nil {
			ch <- result{err: err}
			return
		}
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		ch <- result{res.StatusCode, string(b), err}
	}()
	return ch
}

func TestShutdownLetsInFlightRequestFinish(t *testing.T) {
	app := quietApp()
	started, release := inFlight(app)
	l := listen(t)
	addr := l.Addr().String()
	served := make(chan error, 1)
	go func() { served <- app.Serve(l) }()
	waitServing(t, addr)

	got := getAsync(t, "http://"+addr+"/slow")
	closed(t, started, "the request to start")

	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		shut <- app.Shutdown(ctx)
	}()
	waitClosed(t, addr)
	select {
	case err := <-shut:
		require.FailNow(t, "Shutdown returned while a request was in flight", "%v", err)
	case err := <-served:
		// A program that exits when Serve returns would cut the request off.
		require.FailNow(t, "Serve returned while a request was in flight", "%v", err)
	default:
	}
	close(release)

	r := recv(t, got, "the in-flight response")
	require.NoError(t, r.err)
	assert.Equal(t, 200, r.status)
	assert.Equal(t, "finished", r.body)
	assert.NoError(t, recv(t, shut, "Shutdown to return"))
	assert.NoError(t, recv(t, served, "Serve to return"))
}

func TestShutdownEndsStreams(t *testing.T) {
	app := quietApp()
	producerDone := make(chan error, 1)
	app.Get("/stream", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Stream("text/plain", func(ctx context.Context, w io.Writer) error {
			if _, err := io.WriteString(w, "first\n"); err != nil {
				return err
			}
			<-ctx.Done() // an endless stream: only the shutdown ends it
			producerDone <- ctx.Err()
			return ctx.Err()
		}), nil
	})
	l := listen(t)
	addr := l.Addr().String()
	served := make(chan error, 1)
	go func() { served <- app.Serve(l) }()
	waitServing(t, addr)

	res, err := client(t).Get("http://" + addr + "/stream")
	require.NoError(t, err)
	defer res.Body.Close()
	br := bufio.NewReader(res.Body)
	line, err := br.ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "first\n", line)

	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	assert.NoError(t, app.Shutdown(ctx), "Shutdown must not wait for the stream until its deadline")
	assert.Error(t, recv(t, producerDone, "the producer to be cancelled"))
	rest := make(chan error, 1)
	go func() {
		_, err := io.ReadAll(br)
		rest <- err
	}()
	assert.NoError(t, recv(t, rest, "the client's body to end"), "the stream ends cleanly")
	assert.NoError(t, recv(t, served, "Serve to return"))
}

func TestServeAgainAfterShutdown(t *testing.T) {
	app := quietApp()
	app.Get("/stream", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Stream("text/plain", func(ctx context.Context, w io.Writer) error {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			_, err := io.WriteString(w, "streaming")
			return err
		}), nil
	})
	for round := 0; round < 2; round++ {
		l := listen(t)
		served := make(chan error, 1)
		go func() { served <- app.Serve(l) }()
		waitServing(t, l.Addr().String())
		r := recv(t, getAsync(t, "http://"+l.Addr().String()+"/stream"), "the stream")
		require.NoError(t, r.err)
		assert.Equal(t, "streaming", r.body, "round %d: a stream is not cancelled by an earlier shutdown", round)
		shutdown(t, app, served)
	}
}

func TestNewServer(t *testing.T) {
	app := microdot.New()
	srv := app.NewServer("127.0.0.1:8080")
	assert.Equal(t, "127.0.0.1:8080", srv.Addr)
	assert.Same(t, app, srv.Handler)
	assert.Equal(t, microdot.DefaultReadHeaderTimeout, srv.ReadHeaderTimeout)
	assert.Equal(t, microdot.DefaultReadTimeout, srv.ReadTimeout)
	assert.Equal(t, microdot.DefaultIdleTimeout, srv.IdleTimeout)
	assert.Equal(t, microdot.DefaultMaxHeaderBytes, srv.MaxHeaderBytes)
	assert.Equal(t, microdot.DefaultWriteStallTimeout, srv.WriteTimeout, "the stall limit, which progress extends")
	assert.NotNil(t, srv.ErrorLog)

	// The values are safe ones, not just any.
	assert.Positive(t, srv.ReadHeaderTimeout)
	assert.LessOrEqual(t, srv.ReadHeaderTimeout, time.Minute)
	assert.Positive(t, srv.IdleTimeout)
	assert.Positive(t, srv.MaxHeaderBytes)
	assert.Less(t, srv.MaxHeaderBytes, 100<<10)
	assert.NoError(t, app.Shutdown(context.Background()), "a server that never served shuts down at once")
}

func TestHeaderSizeLimit(t *testing.T) {
	app := quietApp()
	app.Get("/", text("ok"))
	addr := serve(t, app)
	request := func(headerBytes int) string {
		return "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: " +
			strings.Repeat("a", headerBytes) + "\r\n\r\n"
	}
	status, _ := rawRequest(t, addr, request(10<<10))
	assert.Equal(t, 200, status, "10 KiB of headers is fine")
	status, _ = rawRequest(t, addr, request(100<<10))
	assert.Equal(t, http.StatusRequestHeaderFieldsTooLarge, status, "100 KiB of headers")
}

func TestRun(t *testing.T) {
	t.Run("returns nil after Shutdown", func(t *testing.T) {
		app := quietApp()
		done := make(chan error, 1)
		go func() { done <- app.Run("127.0.0.1:0") }()
		// Run's address is not known here: shut down until Run has
		// started and returned.
		deadline := time.Now().Add(waitFor)
		for {
			require.NoError(t, app.Shutdown(context.Background()))
			select {
			case err := <-done:
				assert.NoError(t, err)
				return
			case <-time.After(10 * time.Millisecond):
			}
			require.True(t, time.Now().Before(deadline), "Run did not return after Shutdown")
		}
	})
	t.Run("address in use is an error", func(t *testing.T) {
		l := listen(t)
		defer l.Close()
		done := make(chan error, 1)
		go func() { done <- quietApp().Run(l.Addr().String()) }()
		assert.Error(t, recv(t, done, "Run to fail"))
	})
}

func TestServeReturnsListenerErrors(t *testing.T) {
	app := quietApp()
	l := listen(t)
	served := make(chan error, 1)
	go func() { served <- app.Serve(l) }()
	waitServing(t, l.Addr().String())
	l.Close() // not a Shutdown: a failure
	assert.Error(t, recv(t, served, "Serve to return"))
	assert.NoError(t, app.Shutdown(context.Background()))
}

// TestSIGTERMShutsDownGracefully sends SIGTERM to this process while Serve
// runs. The test first installs its own signal.Notify for SIGTERM, so that
// the signal can never kill the test binary, whatever Serve does.
func TestSIGTERMShutsDownGracefully(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGTERM on Windows")
	}
	guard := make(chan os.Signal, 1)
	signal.Notify(guard, syscall.SIGTERM)
	defer signal.Stop(guard)

	app := quietApp()
	started, release := inFlight(app)
	l := listen(t)
	addr := l.Addr().String()
	served := make(chan error, 1)
	go func() { served <- app.Serve(l) }()
	waitServing(t, addr) // Serve has installed its signal handler

	got := getAsync(t, "http://"+addr+"/slow")
	closed(t, started, "the request to start")
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGTERM))
	recv(t, guard, "the signal")
	waitClosed(t, addr)
	select {
	case err := <-served:
		require.FailNow(t, "Serve returned while a request was in flight", "%v", err)
	default:
	}
	close(release)
	r := recv(t, got, "the in-flight response")
	require.NoError(t, r.err)
	assert.Equal(t, "finished", r.body)
	assert.NoError(t, recv(t, served, "Serve to return after SIGTERM"))
}

// TestBehindMiddleware: the App is a plain http.Handler.
func TestBehindMiddleware(t *testing.T) {
	app := microdot.New()
	app.Get("/hello/<name>", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Text("hello " + req.PathValue("name")), nil
	})
	mw := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Middleware", "1")
			next.ServeHTTP(w, r)
		})
	}
	mux := http.NewServeMux()
	mux.Handle("/api/", http.StripPrefix("/api", mw(app)))
	mux.HandleFunc("/other", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "other") })
	srv := startServer(t, mux)
	hc := client(t)

	res, err := hc.Get(srv.URL + "/api/hello/ada")
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, "hello ada", string(body))
	assert.Equal(t, "1", res.Header.Get("X-Middleware"))

	res, err = hc.Get(srv.URL + "/api/missing")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, 404, res.StatusCode)
}
