//go:build linux

package cache

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/microdot-go/microdot/reliability/internal/child"
)

// A kind of request, by its Origin. The camera's policy allows A and B
// (with credentials); evil, "null" (a sandboxed page) and a request without
// Origin get no CORS headers, only Vary: Origin.
type kind struct {
	name    string
	origin  string // "" for no Origin header
	allowed bool
}

var kinds = []kind{
	{"A", "https://a.example", true},
	{"B", "https://b.example", true},
	{"evil", "https://evil.example", false},
	{"null", "null", false},
	{"none", "", false},
}

// The two cacheable GET endpoints of the camera API that the test goes
// through the cache. Both answer Cache-Control: no-store, which the proxy
// is told to ignore: the test is about what a cache that stores them does
// with Vary.
var paths = []string{"/api/status", "/api/snapshot"}

// result is what the test reads of a response that came through the proxy.
type result struct {
	status int
	acao   string // Access-Control-Allow-Origin
	acac   string // Access-Control-Allow-Credentials
	vary   string
	cache  string // nginx's $upstream_cache_status: MISS, HIT ...; "" when the cache was not used
}

// check returns why r is not the right answer to a request of kind k, or
// nil: an allowed origin gets itself, byte for byte, with credentials;
// anyone else gets no CORS header.
func (k kind) check(r result) error {
	if r.status != http.StatusOK {
		return fmt.Errorf("status %d", r.status)
	}
	if !strings.Contains(strings.ToLower(r.vary), "origin") {
		return fmt.Errorf("no Vary: Origin (Vary %q)", r.vary)
	}
	if k.allowed {
		if r.acao != k.origin || r.acac != "true" {
			return fmt.Errorf("Access-Control-Allow-Origin %q, -Credentials %q: want %q and true", r.acao, r.acac, k.origin)
		}
		return nil
	}
	if r.acao != "" || r.acac != "" {
		return fmt.Errorf("Access-Control-Allow-Origin %q, -Credentials %q served to %s: want none", r.acao, r.acac, k.desc())
	}
	return nil
}

func (k kind) desc() string {
	if k.origin == "" {
		return "a request without Origin"
	}
	return "Origin " + k.origin
}

func do(client *http.Client, method, url string, header map[string]string) (result, error) {
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		return result{}, err
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := client.Do(req)
	if err != nil {
		return result{}, err
	}
	defer res.Body.Close()
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		return result{}, err
	}
	return result{
		status: res.StatusCode,
		acao:   strings.Join(res.Header.Values("Access-Control-Allow-Origin"), ", "),
		acac:   strings.Join(res.Header.Values("Access-Control-Allow-Credentials"), ", "),
		vary:   strings.Join(res.Header.Values("Vary"), ", "),
		cache:  res.Header.Get("X-Cache-Status"),
	}, nil
}

func (k kind) get(client *http.Client, url string) (result, error) {
	h := map[string]string{}
	if k.origin != "" {
		h["Origin"] = k.origin
	}
	return do(client, http.MethodGet, url, h)
}

// tally counts cache statuses per kind of request, safely for concurrent
// use.
type tally struct {
	mu sync.Mutex
	m  map[string]map[string]int // kind -> cache status -> responses
}

func (t *tally) add(k, status string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[string]map[string]int{}
	}
	if t.m[k] == nil {
		t.m[k] = map[string]int{}
	}
	if status == "" {
		status = "uncached"
	}
	t.m[k][status]++
}

func (t *tally) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var parts []string
	for _, k := range kinds {
		st := t.m[k.name]
		if st == nil {
			continue
		}
		keys := make([]string, 0, len(st))
		for s := range st {
			keys = append(keys, s)
		}
		slices.Sort(keys)
		var sub []string
		for _, s := range keys {
			sub = append(sub, fmt.Sprintf("%s %d", s, st[s]))
		}
		parts = append(parts, k.name+": "+strings.Join(sub, ", "))
	}
	return strings.Join(parts, "; ")
}

// ---------------------------------------------------------------------------
// nginx

// proxy is a running nginx with two caching servers in front of the same
// upstream: vary, which honours Vary like any shared cache, and control,
// the negative control, told to ignore it (proxy_ignore_headers Vary), as a
// cache that does not implement Vary would.
type proxy struct {
	vary, control string // http://127.0.0.1:port
	dir           string
}

// nginxConf is the whole configuration: every path nginx writes to is in
// dir, it stays in the foreground as one process (daemon off,
// master_process off), and it listens on loopback only. Both servers
// store 200 responses to GET for a minute whatever their Cache-Control,
// Expires and Set-Cookie say, so that the camera's no-store responses are
// cached; $upstream_cache_status tells whether each response came from the
// cache.
func nginxConf(dir, upstream string, varyPort, controlPort int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `daemon off;
master_process off;
pid %[1]s/nginx.pid;
lock_file %[1]s/nginx.lock;
error_log %[1]s/error.log notice;
events { worker_connections 256; }
http {
	log_format cache '$request $http_origin -> $status $upstream_cache_status $sent_http_access_control_allow_origin';
	access_log %[1]s/access.log cache;
	client_body_temp_path %[1]s/client_body;
	proxy_temp_path %[1]s/proxy_temp;
	fastcgi_temp_path %[1]s/fastcgi_temp;
	uwsgi_temp_path %[1]s/uwsgi_temp;
	scgi_temp_path %[1]s/scgi_temp;
`, dir)
	for _, s := range []struct {
		name   string
		port   int
		ignore string
	}{
		{"vary", varyPort, "Cache-Control Expires Set-Cookie"},
		{"control", controlPort, "Cache-Control Expires Set-Cookie Vary"},
	} {
		fmt.Fprintf(&b, `
	proxy_cache_path %[1]s/cache-%[2]s levels=1:2 keys_zone=%[2]s:1m max_size=64m inactive=10m use_temp_path=off;
	server {
		listen 127.0.0.1:%[3]d;
		location / {
			proxy_pass %[4]s;
			proxy_cache %[2]s;
			proxy_cache_valid 200 1m;
			proxy_ignore_headers %[5]s;
			add_header X-Cache-Status $upstream_cache_status always;
		}
	}
`, dir, s.name, s.port, upstream, s.ignore)
	}
	b.WriteString("}\n")
	return b.String()
}

// startNginx starts nginx in front of upstream and waits until both
// servers accept connections. A port taken in the meantime is retried.
func startNginx(t *testing.T, nginx, upstream string) *proxy {
	t.Helper()
	for attempt := 1; ; attempt++ {
		dir := t.TempDir()
		varyPort, controlPort := freePort(t), freePort(t)
		for varyPort == controlPort {
			controlPort = freePort(t)
		}
		conf := filepath.Join(dir, "nginx.conf")
		if err := os.WriteFile(conf, []byte(nginxConf(dir, upstream, varyPort, controlPort)), 0o644); err != nil {
			t.Fatal(err)
		}
		p := startProcess(t, "nginx", nginx, "-p", dir+"/", "-c", conf)
		px := &proxy{
			vary:    fmt.Sprintf("http://127.0.0.1:%d", varyPort),
			control: fmt.Sprintf("http://127.0.0.1:%d", controlPort),
			dir:     dir,
		}
		t.Cleanup(func() {
			if err := p.stop(); err != nil {
				t.Errorf("stopping nginx: %v", err)
			}
		})
		up := waitFor(10*time.Second, func() bool {
			if exited, _ := p.hasExited(); exited {
				return true
			}
			for _, port := range []int{varyPort, controlPort} {
				c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
				if err != nil {
					return false
				}
				c.Close()
			}
			return true
		})
		exited, err := p.hasExited()
		if up && !exited {
			return px
		}
		log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
		out := p.stdout.String() + p.stderr.String() + string(log)
		if exited && strings.Contains(out, "Address already in use") && attempt < 3 {
			continue
		}
		t.Fatalf("nginx did not start (exited %v: %v):\n%s", exited, err, out)
	}
}

// ---------------------------------------------------------------------------

// TestSharedCache: a response that nginx cached for one Origin is never
// served, with that Origin's CORS headers, to another Origin (allowed or
// not) nor to a request without Origin, because the camera says
// Vary: Origin; and the cache is used where it may be (the second request
// of each kind is a HIT). The negative control, the same cache ignoring
// Vary, does serve the first Origin's headers to everyone: the test can
// fail.
func TestSharedCache(t *testing.T) {
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		if _, statErr := os.Stat("/usr/sbin/nginx"); statErr != nil {
			const msg = "nginx is not installed, so the shared-cache test cannot run: install it with `apt-get install -y nginx` (Debian)"
			if os.Getenv("RELIABILITY_REQUIRE_TOOLS") != "" {
				t.Fatal(msg + " (RELIABILITY_REQUIRE_TOOLS is set: not skipping)")
			}
			t.Skip(msg)
		}
		nginx = "/usr/sbin/nginx" // not on a non-root user's PATH
	}
	if testing.Short() {
		t.Skip("the shared-cache test builds the camera example and runs nginx; it does not run with -short")
	}
	cam, api := startCamera(t, child.BuildCamera(t, "../../examples/camera"),
		"-api", "127.0.0.1:0", "-dashboard", "127.0.0.1:0",
		"-cors-origin", kinds[0].origin+","+kinds[1].origin)
	px := startNginx(t, nginx, api)
	client := &http.Client{Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()

	// Preflights are never cached (proxy_cache_methods is GET and HEAD):
	// each allowed origin gets its own answer.
	for _, k := range kinds[:2] {
		for _, base := range []string{px.vary, px.control} {
			r, err := do(client, http.MethodOptions, base+"/api/settings", map[string]string{
				"Origin":                         k.origin,
				"Access-Control-Request-Method":  "PUT",
				"Access-Control-Request-Headers": "content-type",
			})
			if err != nil {
				t.Fatal(err)
			}
			if r.status != http.StatusNoContent || r.acao != k.origin || r.cache != "" {
				t.Errorf("preflight from %s through %s: %d, Access-Control-Allow-Origin %q, X-Cache-Status %q: want 204, %q, none",
					k.origin, base, r.status, r.acao, r.cache, k.origin)
			}
		}
	}

	// The sequences: for each path and each kind as the primer, a URL of
	// their own (a query string the camera ignores, so a cold cache entry):
	// the primer twice, then every other kind twice, then the primer again.
	// Through the cache that honours Vary, every response must be right
	// and the second request of each kind must be a HIT.
	var seq, ctl tally
	wrong := 0
	leaks := map[string]int{}   // control: kind -> responses with another origin's CORS headers
	missing := map[string]int{} // control: kind (allowed) -> responses without its CORS headers
	primedA := ""               // control: what B got after A primed the entry
	for _, path := range paths {
		for _, primer := range kinds {
			order := []kind{primer, primer}
			for _, k := range kinds {
				if k != primer {
					order = append(order, k, k)
				}
			}
			order = append(order, primer)
			url := path + "?primer=" + primer.name
			seen := map[string]int{}
			var first result // the control's first, cached, response
			for i, k := range order {
				seen[k.name]++
				r, err := k.get(client, px.vary+url)
				if err != nil {
					t.Fatal(err)
				}
				seq.add(k.name, r.cache)
				if err := k.check(r); err != nil {
					wrong++
					t.Errorf("through the cache, %s%s, request %d (%s, %s): %v", path, url[len(path):], i+1, k.desc(), r.cache, err)
				}
				if seen[k.name] == 2 && r.cache != "HIT" {
					t.Errorf("through the cache, %s%s: the second request of %s was %q, want HIT", path, url[len(path):], k.desc(), r.cache)
				}

				// The control: everything after the first request is the
				// first response, from the cache.
				c, err := k.get(client, px.control+url)
				if err != nil {
					t.Fatal(err)
				}
				ctl.add(k.name, c.cache)
				if i == 0 {
					first = c
					continue
				}
				if c.cache != "HIT" || c.acao != first.acao {
					t.Errorf("control, %s, request %d (%s): %q with Access-Control-Allow-Origin %q: want a HIT with the primer's %q",
						url, i+1, k.desc(), c.cache, c.acao, first.acao)
				}
				if c.acao == "" && k.allowed {
					missing[k.name]++
				}
				if c.acao != "" && c.acao != k.origin {
					leaks[k.name]++
					if primer.name == "A" && k.name == "B" && primedA == "" {
						primedA = fmt.Sprintf("%s %s, Access-Control-Allow-Origin %q, -Credentials %q", url, c.cache, c.acao, c.acac)
					}
				}
			}
		}
	}
	// The negative control must leak, or the assertions above prove nothing:
	// A's answer, cached, reaches B, the others and requests without Origin.
	if primedA == "" {
		t.Error("control: B never got A's cached CORS headers: the test could not catch a cache that ignores Vary")
	}
	for _, k := range kinds {
		if leaks[k.name] == 0 {
			t.Errorf("control: no leak to %s", k.desc())
		}
	}

	// Concurrent: 8 clients, 50 requests each, random kinds and paths on
	// one URL each, through the cache that honours Vary.
	var conc tally
	var mu sync.Mutex
	concWrong := 0
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			c := &http.Client{Timeout: 10 * time.Second}
			defer c.CloseIdleConnections()
			rng := rand.New(rand.NewPCG(uint64(g), 42))
			for range 50 {
				k := kinds[rng.IntN(len(kinds))]
				path := paths[rng.IntN(len(paths))]
				r, err := k.get(c, px.vary+path+"?phase=concurrent")
				if err == nil {
					err = k.check(r)
				}
				conc.add(k.name, r.cache)
				if err != nil {
					mu.Lock()
					concWrong++
					if concWrong <= 5 {
						t.Errorf("concurrent, %s, %s: %v", path, k.desc(), err)
					}
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	client.CloseIdleConnections()

	if err := cam.stop(); err != nil {
		t.Errorf("the camera's exit after SIGTERM: %v", err)
	}

	total, totalMissing := 0, 0
	var leakParts []string
	for _, k := range kinds {
		total += leaks[k.name]
		totalMissing += missing[k.name]
		leakParts = append(leakParts, fmt.Sprintf("%s %d", k.name, leaks[k.name]))
	}
	figure(t, "cache.sequence", "%d requests through nginx honouring Vary (2 paths x 5 primers x 11), %d wrong; cache status per kind: %s", 2*len(kinds)*11, wrong, seq.String())
	figure(t, "cache.concurrent", "400 requests from 8 clients on one URL per path, %d wrong; cache status per kind: %s", concWrong, conc.String())
	figure(t, "cache.control", "the same requests through nginx ignoring Vary: %d of %d responses carried another origin's CORS headers (per kind: %s), %d to an allowed origin lacked its own; cache status per kind: %s",
		total, 2*len(kinds)*11, strings.Join(leakParts, ", "), totalMissing, ctl.String())
	figure(t, "cache.control.example", "after A primed the entry, B got %s", primedA)
	figure(t, "cache.preflight", "preflights through either cache: never cached, each allowed origin got its own 204")
}

// figure logs one measurement in the format that docs/reliability.md is
// written from: "FIGURE <name>: <value>".
func figure(t testing.TB, name, format string, args ...any) {
	t.Helper()
	t.Logf("FIGURE %s: %s", name, fmt.Sprintf(format, args...))
}
