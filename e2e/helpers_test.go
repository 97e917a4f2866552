package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/microdot-go/microdot/microdot"
)

// repoRoot is the root of the microdot repository, the parent of e2e/.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// chromePath returns the browser to drive: $CHROME_PATH, or Debian's
// Chromium. It skips the test when there is neither.
func chromePath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROME_PATH"); p != "" {
		if _, err := exec.LookPath(p); err != nil {
			t.Fatalf("CHROME_PATH=%s: %v", p, err)
		}
		return p
	}
	const debian = "/usr/bin/chromium"
	if _, err := os.Stat(debian); err != nil {
		t.Skipf("no browser: %s is missing; install it with `apt-get install chromium`, or set CHROME_PATH to a Chrome or Chromium binary", debian)
	}
	return debian
}

// syncBuffer is a bytes.Buffer safe for concurrent writes and reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// camera is the running camera example.
type camera struct {
	apiURL     string // http://127.0.0.1:PORT
	dashURL    string // http://127.0.0.1:PORT/
	dashOrigin string // dashURL without the slash
	logs       *syncBuffer
	cmd        *exec.Cmd
	exited     chan struct{} // closed when the process has exited
	waitErr    error         // set before exited is closed
}

// startCamera builds the camera example, starts it on two free loopback
// ports and waits for the URLs it prints. The process is stopped at the end
// of the test, killed if it does not stop by itself. More flags may follow
// (a later -api or -dashboard wins over the free ports).
func startCamera(t *testing.T, password string, flags ...string) *camera {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "camera")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	bctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	build := exec.CommandContext(bctx, "go", "build", "-o", bin, "./examples/camera")
	build.Dir = repoRoot(t)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./examples/camera: %v\n%s", err, out)
	}

	c := &camera{logs: &syncBuffer{}, exited: make(chan struct{})}
	stdout := &syncBuffer{}
	c.cmd = exec.Command(bin, append([]string{"-api", "127.0.0.1:0", "-dashboard", "127.0.0.1:0", "-password", password}, flags...)...)
	c.cmd.Stdout = stdout
	c.cmd.Stderr = c.logs
	if err := c.cmd.Start(); err != nil {
		t.Fatalf("starting the camera: %v", err)
	}
	go func() {
		c.waitErr = c.cmd.Wait()
		close(c.exited)
	}()
	t.Cleanup(func() {
		if err := c.stop(5 * time.Second); err != nil {
			t.Logf("stopping the camera: %v", err)
		}
		if t.Failed() {
			t.Logf("camera log:\n%s", c.logs)
		}
	})

	deadline := time.After(30 * time.Second)
	for c.apiURL == "" || c.dashURL == "" {
		select {
		case <-c.exited:
			t.Fatalf("the camera exited early (%v):\n%s%s", c.waitErr, stdout, c.logs)
		case <-deadline:
			t.Fatalf("the camera printed no URLs within 30 s:\n%s%s", stdout, c.logs)
		case <-time.After(20 * time.Millisecond):
		}
		sc := bufio.NewScanner(strings.NewReader(stdout.String()))
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "camera API: "); ok {
				c.apiURL = u
			}
			if u, ok := strings.CutPrefix(sc.Text(), "dashboard: "); ok {
				c.dashURL = u
			}
		}
	}
	c.dashOrigin = strings.TrimSuffix(c.dashURL, "/")
	return c
}

// stop sends SIGTERM and waits up to grace for the camera to exit, then
// kills it. It returns an error unless the camera exited by itself with
// status 0.
func (c *camera) stop(grace time.Duration) error {
	select {
	case <-c.exited:
		return c.waitErr
	default:
	}
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case <-c.exited:
		return c.waitErr
	case <-time.After(grace):
	}
	c.cmd.Process.Kill()
	<-c.exited
	return fmt.Errorf("the camera did not exit within %v of SIGTERM; killed", grace)
}

// status reads the camera's /api/status, from Go, not from the browser.
func (c *camera) status(t *testing.T) map[string]any {
	t.Helper()
	return c.getJSON(t, "/api/status")
}

// number returns the number v[key], failing the test when there is none.
func number(t *testing.T, v map[string]any, key string) float64 {
	t.Helper()
	n, ok := v[key].(float64)
	if !ok {
		t.Fatalf("%s is %v in %v, want a number", key, v[key], v)
	}
	return n
}

func (c *camera) getJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.apiURL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	var v map[string]any
	if err := json.NewDecoder(res.Body).Decode(&v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return v
}

// serveThirdOrigin serves page at / on a free loopback port, an origin that
// the camera's CORS policy does not list, until the test ends. It returns
// the origin.
func serveThirdOrigin(t *testing.T, page string) string {
	t.Helper()
	app := microdot.New()
	app.Get("/", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.HTML(page), nil
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := app.NewServer(ln.Addr().String())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := app.Shutdown(ctx); err != nil {
			t.Errorf("third origin shutdown: %v", err)
		}
		if err := <-served; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("third origin: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// browser is a headless Chromium with one tab, and what the tab did.
type browser struct {
	ctx context.Context // the tab's chromedp context

	mu       sync.Mutex
	requests map[network.RequestID]*network.Request // every request the tab sent
	order    []network.RequestID
	failures map[network.RequestID]*network.EventLoadingFailed
}

// newBrowser starts the browser and opens a tab that records its network
// traffic. Both are closed at the end of the test.
func newBrowser(t *testing.T, execPath string) *browser {
	t.Helper()
	var output syncBuffer
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(execPath),
		chromedp.Headless,
		chromedp.NoSandbox, // root in a container: Chromium refuses to start with its sandbox
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		// A second guard beside the check on the recorded URLs: every
		// request that is not for a loopback address goes to a proxy that
		// does not exist, so nothing can leave the machine. Chromium always
		// bypasses proxies for loopback addresses.
		chromedp.ProxyServer("http://127.0.0.1:9"),
		chromedp.WindowSize(1280, 900),
		chromedp.CombinedOutput(&output),
		// No UserDataDir: chromedp gives each browser a fresh temporary
		// --user-data-dir and removes it when the browser stops.
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	b := &browser{
		ctx:      ctx,
		requests: map[network.RequestID]*network.Request{},
		failures: map[network.RequestID]*network.EventLoadingFailed{},
	}
	t.Cleanup(func() {
		cancelTab() // closes the browser and waits for it
		cancelAlloc()
		if t.Failed() {
			t.Logf("browser output:\n%s", output.String())
		}
	})

	// The first Run starts the browser, and the browser lives as long as
	// that call's context: it cannot carry a timeout, so bound it here.
	started := make(chan error, 1)
	go func() {
		started <- chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tgt *chromedp.Target) error {
			_, err := cdp.Call(ctx, tgt, network.Enable, network.EnableParams{})
			return err
		}))
	}()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("starting %s: %v\n%s", execPath, err, output.String())
		}
	case <-time.After(60 * time.Second):
		cancelTab()
		t.Fatalf("%s did not start within 60 s\n%s", execPath, output.String())
	}

	err := chromedp.Listen(ctx, func(ev any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			if _, seen := b.requests[e.RequestID]; !seen {
				b.order = append(b.order, e.RequestID)
			}
			b.requests[e.RequestID] = e.Request
		case *network.EventLoadingFailed:
			b.failures[e.RequestID] = e
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// do runs actions in the tab, failing the test when they fail or take
// longer than timeout.
func (b *browser) do(t *testing.T, timeout time.Duration, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, timeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("browser: %v\npage:\n%s", err, b.pageText())
	}
}

// eval evaluates expr in the page, awaiting it when it is a promise.
func eval[T any](t *testing.T, b *browser, timeout time.Duration, expr string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluating %s: %v\npage:\n%s", expr, err, b.pageText())
	}
	return v
}

// waitJS waits until the JavaScript expression expr is true in the page,
// failing the test with what after timeout.
func (b *browser) waitJS(t *testing.T, timeout time.Duration, what, expr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, timeout+5*time.Second)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](expr,
		chromedp.WithPollingInterval(100*time.Millisecond),
		chromedp.WithPollingTimeout(timeout)))
	if err != nil {
		t.Fatalf("%s: %v (waited %v for %s)\npage:\n%s", what, err, timeout, expr, b.pageText())
	}
}

// pageText returns the visible text of the page, for failure messages.
func (b *browser) pageText() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ''`))
	if err != nil {
		return "(unavailable: " + err.Error() + ")"
	}
	return s
}

// urls returns the URL of every request the tab sent, in order.
func (b *browser) urls() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]string, 0, len(b.order))
	for _, id := range b.order {
		out = append(out, b.requests[id].URL)
	}
	return out
}

// corsFailures returns, for each request that the browser failed because
// of CORS, its method and URL and the CORS error.
func (b *browser) corsFailures() map[string]string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := map[string]string{}
	for id, f := range b.failures {
		if f.CorsErrorStatus == nil {
			continue
		}
		if r := b.requests[id]; r != nil {
			out[r.Method+" "+r.URL] = string(f.CorsErrorStatus.CorsError)
		}
	}
	return out
}

// isLoopbackURL reports whether a request for raw stays on this machine: an
// http(s) or ws(s) URL whose host is a loopback address, or a URL that
// needs no network at all (data:, blob:, about:).
func isLoopbackURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "data", "blob", "about":
		return true
	case "http", "https", "ws", "wss":
		h := u.Hostname()
		if h == "localhost" {
			return true
		}
		ip := net.ParseIP(h)
		return ip != nil && ip.IsLoopback()
	}
	return false
}
