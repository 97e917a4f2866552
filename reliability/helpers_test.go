package reliability

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/cors"
	"github.com/microdot-go/microdot/reliability/internal/child"
)

// TestMain checks, once every test has run, that no goroutine is left
// behind by any of them: servers, streams, clients and pollers all end.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// figure logs one measurement in the format that docs/reliability.md is
// written from: "FIGURE <name>: <value>".
func figure(t testing.TB, name, format string, args ...any) {
	t.Helper()
	t.Logf("FIGURE %s: %s", name, fmt.Sprintf(format, args...))
}

// ---------------------------------------------------------------------------
// Logs

// logRecord is one record an App logged.
type logRecord struct {
	Level slog.Level
	Msg   string
	Attrs map[string]string
}

// logStore collects the records of an App's Logger, safely for concurrent use.
type logStore struct {
	mu   sync.Mutex
	recs []logRecord
}

func (s *logStore) logger() *slog.Logger { return slog.New(&logHandler{store: s}) }

func (s *logStore) records() []logRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.recs)
}

// count returns the number of records whose message contains msg.
func (s *logStore) count(msg string) int {
	n := 0
	for _, r := range s.records() {
		if strings.Contains(r.Msg, msg) {
			n++
		}
	}
	return n
}

// panics returns the records of recovered panics, and those of panics that
// escaped to net/http (which logs "http: panic serving" through ErrorLog).
func (s *logStore) panics() []logRecord {
	var out []logRecord
	for _, r := range s.records() {
		if strings.Contains(r.Msg, "panic") {
			out = append(out, r)
		}
	}
	return out
}

type logHandler struct {
	store *logStore
	attrs []slog.Attr
}

func (h *logHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *logHandler) Handle(_ context.Context, r slog.Record) error {
	rec := logRecord{Level: r.Level, Msg: r.Message, Attrs: map[string]string{}}
	for _, a := range h.attrs {
		rec.Attrs[a.Key] = a.Value.String()
	}
	r.Attrs(func(a slog.Attr) bool {
		rec.Attrs[a.Key] = a.Value.String()
		return true
	})
	h.store.mu.Lock()
	h.store.recs = append(h.store.recs, rec)
	h.store.mu.Unlock()
	return nil
}

func (h *logHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &logHandler{store: h.store, attrs: append(slices.Clone(h.attrs), as...)}
}

func (h *logHandler) WithGroup(string) slog.Handler { return h }

// ---------------------------------------------------------------------------
// Servers and clients

// testServer is an App served on a loopback port by the server NewServer
// made for it.
type testServer struct {
	app  *microdot.App
	srv  *http.Server
	addr string // 127.0.0.1:port
	url  string // http://127.0.0.1:port

	once   sync.Once
	served chan error
}

// serve serves app on 127.0.0.1:0 with app.NewServer, changed by tweak when
// it is not nil, until the test ends or Close is called.
func serve(t testing.TB, app *microdot.App, tweak func(*http.Server)) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{app: app, addr: ln.Addr().String(), served: make(chan error, 1)}
	ts.url = "http://" + ts.addr
	ts.srv = app.NewServer(ts.addr)
	if tweak != nil {
		tweak(ts.srv)
	}
	go func() { ts.served <- ts.srv.Serve(ln) }()
	t.Cleanup(func() { ts.Close(t) })
	return ts
}

// Close shuts the App down (ending its streams and waiting up to 10 s for
// requests in flight) and waits for the server to stop. It may be called
// more than once. Close the clients' idle connections first: net/http's
// Shutdown waits up to 5 s for a connection that never sent a request.
func (ts *testServer) Close(t testing.TB) {
	t.Helper()
	ts.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := ts.app.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		select {
		case err := <-ts.served:
			if !errors.Is(err, http.ErrServerClosed) {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("the server did not stop within 5 s of the end of Shutdown")
		}
	})
}

// newClient returns an HTTP client of its own (so that no connection is
// shared with another test) whose idle connections are closed when the
// test ends. Every request has a 10 s deadline.
func newClient(t testing.TB, keepAlive bool) *http.Client {
	t.Helper()
	tr := &http.Transport{
		MaxIdleConns:        32,
		MaxIdleConnsPerHost: 32,
		IdleConnTimeout:     30 * time.Second,
		DisableKeepAlives:   !keepAlive,
		DisableCompression:  true,
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{
		Transport: tr,
		Timeout:   10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// closeIdle closes the idle connections of a client made by newClient.
func closeIdle(c *http.Client) {
	if tr, ok := c.Transport.(*http.Transport); ok {
		tr.CloseIdleConnections()
	}
}

// rawResult is the answer to a raw request.
type rawResult struct {
	Status int // 0 when the server sent no response
	Header http.Header
	Body   []byte
	Err    error // why no response could be read, if so
}

// rawRequest sends raw, byte for byte, on a new connection to addr, and
// reads one response (its body up to 1 MiB). Go's client cannot send
// malformed requests or request targets it would clean; this can.
func rawRequest(addr, raw string, timeout time.Duration) rawResult {
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return rawResult{Err: err}
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(timeout))
	if _, err := io.WriteString(conn, raw); err != nil {
		return rawResult{Err: fmt.Errorf("write: %w", err)}
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return rawResult{Err: fmt.Errorf("read: %w", err)}
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	return rawResult{Status: res.StatusCode, Header: res.Header, Body: body, Err: err}
}

// rawGET is rawRequest for "GET target HTTP/1.1" with a Host header and
// Connection: close.
func rawGET(addr, target string) rawResult {
	return rawRequest(addr, "GET "+target+" HTTP/1.1\r\nHost: "+addr+"\r\nConnection: close\r\n\r\n", 5*time.Second)
}

// ---------------------------------------------------------------------------
// Measurements

// heapAfterGC returns HeapAlloc after two garbage collections (the second
// one empties the sync.Pool victim caches that the first one filled).
func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// heapGrowth returns after-before as a signed number of bytes.
func heapGrowth(before, after uint64) int64 { return int64(after) - int64(before) }

// kib formats a byte count in KiB.
func kib(n int64) string { return fmt.Sprintf("%.1f KiB", float64(n)/1024) }

// waitFor polls cond every 10 ms until it holds or timeout passes.
func waitFor(timeout time.Duration, cond func() bool) bool {
	return child.WaitFor(timeout, 10*time.Millisecond, cond)
}

// histogram counts occurrences of keys, safely for concurrent use, and
// prints them sorted: "200=1800 500=200".
type histogram struct {
	mu sync.Mutex
	m  map[string]int
}

func (h *histogram) add(key any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.m == nil {
		h.m = map[string]int{}
	}
	h.m[fmt.Sprint(key)]++
}

func (h *histogram) get(key any) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.m[fmt.Sprint(key)]
}

func (h *histogram) total() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, v := range h.m {
		n += v
	}
	return n
}

func (h *histogram) String() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(h.m)) {
		parts = append(parts, fmt.Sprintf("%s=%d", k, h.m[k]))
	}
	return strings.Join(parts, " ")
}

// durations summarises a set of durations.
type durations []time.Duration

func (d durations) summary() string {
	if len(d) == 0 {
		return "none"
	}
	s := slices.Clone(d)
	slices.Sort(s)
	ms := func(x time.Duration) string { return fmt.Sprintf("%.0f ms", float64(x)/float64(time.Millisecond)) }
	return fmt.Sprintf("min %s, median %s, max %s (n=%d)", ms(s[0]), ms(s[len(s)/2]), ms(s[len(s)-1]), len(s))
}

// nopWriter is an http.ResponseWriter that keeps the status and headers and
// drops the body, for serving many requests in-process without allocating a
// recorder each time.
type nopWriter struct {
	h      http.Header
	status int
}

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *nopWriter) WriteHeader(code int)        { w.status = code }

func (w *nopWriter) reset() {
	clear(w.h)
	w.status = 0
}

// ---------------------------------------------------------------------------
// The App under hostile input

// Origins of the hostile App's CORS policy.
const (
	trustedOrigin = "https://app.example.com" // matches https://*.example.com
	foreignOrigin = "https://evil.example.org"
)

// hostile is an App like a device's API: routes that read bodies, a
// StaticFiles route, and the CORS extension with a credentialed policy
// for the subdomains of example.com.
type hostile struct {
	app    *microdot.App
	cors   *cors.CORS
	logs   *logStore
	dir    string // holds root/ and the secret file
	root   string // served under /static/ and /assets/
	secret string // the secret file's content, which must never be served
}

// hostileMaxBody is the hostile App's MaxBodyBytes.
const hostileMaxBody = 64 << 10

func newHostile(t testing.TB) *hostile {
	t.Helper()
	h := &hostile{logs: &logStore{}, dir: t.TempDir()}
	h.root = filepath.Join(h.dir, "root")
	h.secret = fmt.Sprintf("TOP-SECRET-%d-do-not-serve", time.Now().UnixNano())
	mustWrite := func(name, content string) {
		t.Helper()
		p := filepath.Join(h.dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mustWrite("secret", h.secret)
	mustWrite("root/index.html", "<h1>index</h1>")
	mustWrite("root/hello.txt", "hello")
	mustWrite("root/sub/index.html", "<h1>sub</h1>")
	mustWrite("root/sub/page.txt", "page")
	for link, target := range map[string]string{
		"root/link-to-secret":   "../secret",       // a file outside the root
		"root/link-to-parent":   "..",              // a directory outside the root
		"root/sub/link-up":      "../../secret",    // outside, from a subdirectory
		"root/link-absolute":    h.dir + "/secret", // outside, by absolute path
		"root/link-inside":      "hello.txt",       // inside: served
		"root/sub/link-sibling": "../sub/page.txt", // inside, through ..: served
		"root/link-etc":         "/etc",            // a system directory
		"root/link-loop":        "link-loop",       // a loop
		"root/link-dangling":    "does-not-exist.txt",
	} {
		if err := os.Symlink(target, filepath.Join(h.dir, link)); err != nil {
			t.Fatal(err)
		}
	}

	app := microdot.New()
	app.Logger = h.logs.logger()
	app.MaxBodyBytes = hostileMaxBody
	app.Get("/", func(*microdot.Request) (*microdot.Response, error) {
		return microdot.Text("ok"), nil
	})
	app.Route("/api/items", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.JSON(map[string]string{"method": req.Method}), nil
	}, http.MethodGet, http.MethodPut)
	// The handler reads the whole body and returns the read error as it is:
	// an *http.MaxBytesError past MaxBodyBytes, which becomes a 413.
	app.Post("/upload", func(req *microdot.Request) (*microdot.Response, error) {
		n, err := io.Copy(io.Discard, req.Body)
		if err != nil {
			return nil, err
		}
		return microdot.Text(fmt.Sprintf("%d bytes", n)), nil
	})
	app.Post("/json", func(req *microdot.Request) (*microdot.Response, error) {
		var v any
		if err := req.DecodeJSON(&v); err != nil {
			return nil, err
		}
		return microdot.JSON(v), nil
	})
	app.Get("/static/<path:path>", microdot.StaticFiles(h.root))
	app.Get("/assets/*file", microdot.StaticFiles(h.root))

	c, err := cors.New(app, cors.Config{
		AllowedOrigins:   []string{"https://*.example.com"},
		AllowCredentials: true,
		AllowedMethods:   []string{http.MethodPut},
		AllowedHeaders:   []string{"Content-Type", "X-Requested-With"},
		ExposeHeaders:    []string{"X-Request-Id"},
		MaxAge:           600,
	})
	if err != nil {
		t.Fatal(err)
	}
	h.app, h.cors = app, c
	return h
}

// checkNoPanics fails the test when the App logged a panic.
func checkNoPanics(t testing.TB, logs *logStore) {
	t.Helper()
	if ps := logs.panics(); len(ps) > 0 {
		t.Errorf("%d panics logged, the first: %+v", len(ps), ps[0])
	}
}

// checkServing fails the test unless GET / on addr answers 200 "ok".
func checkServing(t testing.TB, addr string) {
	t.Helper()
	r := rawGET(addr, "/")
	if r.Err != nil || r.Status != http.StatusOK || string(r.Body) != "ok" {
		t.Fatalf("the server stopped serving: GET / = %d %q (%v)", r.Status, r.Body, r.Err)
	}
}
