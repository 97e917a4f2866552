package microdot_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
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

// waitFor bounds every wait of the suite: nothing the tests wait for should
// take more than a fraction of it.
const waitFor = 10 * time.Second

// text returns a handler that answers body as text.
func text(body string) microdot.Handler {
	return func(*microdot.Request) (*microdot.Response, error) { return microdot.Text(body), nil }
}

// quietApp returns a new App whose Logger discards everything, for tests
// that provoke errors but do not look at the log.
func quietApp() *microdot.App {
	app := microdot.New()
	app.Logger = slog.New(slog.DiscardHandler)
	return app
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a server.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// loggedApp returns a new App that logs as JSON into the returned buffer.
func loggedApp() (*microdot.App, *syncBuffer) {
	buf := &syncBuffer{}
	app := microdot.New()
	app.Logger = slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return app, buf
}

// panicMessage calls f and returns what it panicked with, as a string, and
// whether it panicked.
func panicMessage(f func()) (msg string, panicked bool) {
	defer func() {
		if p := recover(); p != nil {
			msg, panicked = fmt.Sprint(p), true
		}
	}()
	f()
	return "", false
}

// record serves r with h into a ResponseRecorder, which (unlike the
// TestClient) keeps whatever body bytes were written, also for HEAD.
func record(h http.Handler, method, target string, body io.Reader, header ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, body)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Add(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// startServer serves h on a loopback httptest server closed at the end of the test.
func startServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// client returns an HTTP client with a bounded timeout and no connection reuse
// across tests.
func client(t *testing.T) *http.Client {
	t.Helper()
	tr := &http.Transport{DisableKeepAlives: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: waitFor}
}

// recv waits for a value on ch, failing the test after waitFor.
func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitFor):
		require.FailNow(t, "timed out waiting for "+what)
	}
	var zero T
	return zero
}

// closed waits until ch is closed, failing the test after waitFor.
func closed(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(waitFor):
		require.FailNow(t, "timed out waiting for "+what)
	}
}

// joined returns a header's values joined with ", ", for exact comparisons.
func joined(h http.Header, key string) string { return strings.Join(h.Values(key), ", ") }

// listen opens a loopback listener on a free port.
func listen(t *testing.T) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	return l
}

// shutdown shuts app down and waits for its Serve to return nil.
func shutdown(t *testing.T, app *microdot.App, served <-chan error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	assert.NoError(t, app.Shutdown(ctx))
	assert.NoError(t, recv(t, served, "Serve to return"))
}

// serve runs app.Serve on a loopback listener until the end of the test and
// returns the listener's address.
func serve(t *testing.T, app *microdot.App) string {
	t.Helper()
	l := listen(t)
	served := make(chan error, 1)
	go func() { served <- app.Serve(l) }()
	t.Cleanup(func() { shutdown(t, app, served) })
	waitServing(t, l.Addr().String())
	return l.Addr().String()
}

// waitServing waits until a request to addr gets a response.
func waitServing(t *testing.T, addr string) {
	t.Helper()
	hc := &http.Client{Timeout: waitFor}
	res, err := hc.Get("http://" + addr + "/")
	require.NoError(t, err, "server at %s", addr)
	res.Body.Close()
	hc.CloseIdleConnections()
}

// rawRequest writes raw to a new connection to addr and reads the response.
func rawRequest(t *testing.T, addr, raw string) (int, http.Header) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, waitFor)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(waitFor)))
	go io.WriteString(conn, raw) // a server may answer before it has read everything
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	defer res.Body.Close()
	io.Copy(io.Discard, res.Body)
	return res.StatusCode, res.Header
}

// netDial opens a loopback TCP connection with a bounded timeout.
func netDial(addr string) (net.Conn, error) { return net.DialTimeout("tcp", addr, waitFor) }
