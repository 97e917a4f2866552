package reliability

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/auth"
	"github.com/microdot-go/microdot/microdot/cors"
	"github.com/microdot-go/microdot/microdot/csrf"
	"github.com/microdot-go/microdot/microdot/login"
	"github.com/microdot-go/microdot/microdot/session"
)

// device is a camera-like App set up as docs/security.md says: the Host
// check, a session login with throttled failures, CSRF protection that
// trusts the dashboard that the CORS policy lists.
type device struct {
	app        *microdot.App
	brightness atomic.Int64
	checked    atomic.Int64 // passwords compared
	hooks      atomic.Int64 // requests that reached the hooks
	logs       *logStore
}

const (
	devicePassword  = "correct horse battery staple"
	deviceDashboard = "http://127.0.0.1:8081"
)

func newDevice(t testing.TB, limit auth.Limit) *device {
	t.Helper()
	d := &device{app: microdot.New(), logs: &logStore{}}
	app := d.app
	app.Logger = d.logs.logger()
	limit.Logger = app.Logger
	if err := app.SetAllowedHosts("127.0.0.1", "localhost"); err != nil {
		t.Fatal(err)
	}
	app.BeforeRequest(func(*microdot.Request) (*microdot.Response, error) {
		d.hooks.Add(1)
		return nil, nil
	})
	sess, err := session.New(app, strings.Repeat("0123456789abcdef", 4))
	if err != nil {
		t.Fatal(err)
	}
	lg := login.New(sess, func(_ *microdot.Request, id string) (any, error) {
		if id == "admin" {
			return id, nil
		}
		return nil, nil
	})
	lg.Limiter = auth.NewLimiter(limit)
	lg.ErrorHandler = func(*microdot.Request) (*microdot.Response, error) {
		return nil, microdot.Abort(http.StatusUnauthorized, "log in first")
	}
	c, err := cors.New(app, cors.Config{AllowedOrigins: []string{deviceDashboard}, AllowCredentials: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := csrf.New(app, c); err != nil {
		t.Fatal(err)
	}
	app.Get("/snapshot", lg.Required(func(*microdot.Request) (*microdot.Response, error) {
		return microdot.Bytes("image/jpeg", []byte("\xff\xd8 a picture of the living room \xff\xd9")), nil
	}))
	app.Post("/login", lg.Throttle(func(req *microdot.Request) (*microdot.Response, error) {
		form, err := req.FormValues()
		if err != nil {
			return nil, err
		}
		d.checked.Add(1)
		if form.Get("password") != devicePassword {
			lg.Failed(req)
			return nil, microdot.Abort(http.StatusUnauthorized, "wrong password")
		}
		return lg.LoginUser(req, "admin", "admin", 0)
	}))
	app.Post("/settings", lg.Required(func(req *microdot.Request) (*microdot.Response, error) {
		var s struct{ Brightness int64 }
		if err := req.DecodeJSON(&s); err != nil {
			form, ferr := req.FormValues()
			if ferr != nil {
				return nil, err
			}
			fmt.Sscan(form.Get("brightness"), &s.Brightness)
		}
		d.brightness.Store(s.Brightness)
		return microdot.Text("saved"), nil
	}))
	return d
}

// loginClient returns a client with a cookie jar, logged in to ts.
func loginClient(t testing.TB, ts *testServer) *http.Client {
	t.Helper()
	c := newClient(t, true)
	c.Jar, _ = cookiejar.New(nil)
	res, err := c.PostForm(ts.url+"/login", url.Values{"password": {devicePassword}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound {
		t.Fatalf("login: %d", res.StatusCode)
	}
	return c
}

// DNS rebinding: the attacker's page on rebind.attacker.example, whose name
// now resolves to the device, is same-origin with it; every request it
// makes carries the attacker's name in Host, and gets 421 before any hook.
func TestAttackDNSRebinding(t *testing.T) {
	d := newDevice(t, auth.Limit{})
	ts := serve(t, d.app, nil)
	_, port, _ := net.SplitHostPort(ts.addr)
	evil := "rebind.attacker.example:" + port
	attacks := []string{
		"GET /snapshot HTTP/1.1\r\nHost: " + evil + "\r\nConnection: close\r\n\r\n",
		"POST /login HTTP/1.1\r\nHost: " + evil + "\r\nOrigin: http://" + evil + "\r\nSec-Fetch-Site: same-origin\r\n" +
			"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 15\r\nConnection: close\r\n\r\npassword=camera",
		"POST /settings HTTP/1.1\r\nHost: " + evil + "\r\nOrigin: http://" + evil + "\r\nSec-Fetch-Site: same-origin\r\n" +
			"Content-Type: application/json\r\nContent-Length: 18\r\nConnection: close\r\n\r\n{\"Brightness\":100}",
		"GET /snapshot HTTP/1.0\r\n\r\n", // no Host at all
		"GET http://rebind.attacker.example/snapshot HTTP/1.1\r\nHost: " + ts.addr + "\r\nConnection: close\r\n\r\n",
	}
	for _, raw := range attacks {
		res := rawRequest(ts.addr, raw, 10*time.Second)
		if res.Err != nil || res.Status != http.StatusMisdirectedRequest {
			t.Errorf("%q: status %d, error %v; want 421", strings.SplitN(raw, "\r\n", 2)[0], res.Status, res.Err)
		}
	}
	reached := d.hooks.Load()
	if reached != 0 {
		t.Errorf("%d rebound requests reached the hooks", reached)
	}
	if d.checked.Load() != 0 || d.brightness.Load() != 0 {
		t.Errorf("a rebound request logged in or changed a setting")
	}
	// The device's own address still works.
	if res := rawGET(ts.addr, "/snapshot"); res.Status != http.StatusUnauthorized {
		t.Errorf("own host: status %d, want 401 (log in first)", res.Status)
	}
	figure(t, "rebinding requests refused with 421", "%d of %d, %d reached a hook", len(attacks), len(attacks), reached)
}

// Password guessing: 10,000 wrong passwords from one address are throttled
// after a few, and the right one still works from another address.
func TestAttackPasswordGuessing(t *testing.T) {
	limit := auth.Limit{Failures: 10, Every: 6 * time.Second}
	d := newDevice(t, limit)
	ts := serve(t, d.app, nil)
	attacker := newClient(t, true)

	const attempts, workers = 10000, 8
	var next atomic.Int64
	statuses := &histogram{}
	var mu sync.Mutex
	start := time.Now()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > attempts {
					return
				}
				res, err := attacker.PostForm(ts.url+"/login", url.Values{"password": {fmt.Sprint("guess", i)}})
				if err != nil {
					t.Error(err)
					return
				}
				res.Body.Close()
				mu.Lock()
				statuses.add(res.StatusCode)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	checked := d.checked.Load()
	// Failures at once, then one more per Every, whatever the machine's speed.
	allowed := int64(limit.Failures) + int64(elapsed/limit.Every) + 1
	if checked > allowed {
		t.Errorf("%d passwords were checked in %v; the limit allows %d", checked, elapsed, allowed)
	}
	if statuses.get(http.StatusTooManyRequests) < attempts-int(allowed) {
		t.Errorf("statuses %v: want at least %d 429s", statuses, attempts-int(allowed))
	}
	if n := d.logs.count("auth: too many failed attempts; throttling the client"); n != 1 {
		t.Errorf("%d throttling log lines, want 1", n)
	}
	res, err := attacker.PostForm(ts.url+"/login", url.Values{"password": {devicePassword}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Errorf("the attacker's address with the right password: %d, Retry-After %q; want 429 with Retry-After",
			res.StatusCode, res.Header.Get("Retry-After"))
	}

	// The owner, from another address (127.0.0.2 is loopback too on Linux).
	owner := newClient(t, false)
	owner.Transport.(*http.Transport).DialContext = (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}).DialContext
	ownerURL := ts.url
	res, err = owner.PostForm(ownerURL+"/login", url.Values{"password": {devicePassword}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound {
		t.Errorf("the owner's login from another address: %d, want 302", res.StatusCode)
	}
	figure(t, "wrong passwords sent from one address", "%d in %v", attempts, elapsed.Round(time.Millisecond))
	figure(t, "wrong passwords checked", "%d (%.1f per second; the rest got 429)", checked, float64(checked)/elapsed.Seconds())
	figure(t, "statuses", "%v", statuses)
}

// Cross-site writes: a logged-in owner visits an attacker's page, whose
// form post or text/plain fetch (no preflight) carries the owner's cookie
// to the device; neither changes the settings.
func TestAttackCrossSiteWrites(t *testing.T) {
	d := newDevice(t, auth.Limit{})
	ts := serve(t, d.app, nil)
	browser := loginClient(t, ts)
	send := func(contentType, body string, header ...string) int {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, ts.url+"/settings", strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		for i := 0; i < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		res, err := browser.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	attacks := map[string]int{
		"cross-site form post": send("application/x-www-form-urlencoded", "brightness=100",
			"Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate", "Origin", "https://evil.example"),
		"text/plain fetch": send("text/plain", `{"Brightness":100}`,
			"Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "no-cors", "Origin", "https://evil.example"),
		"form post from an old browser": send("application/x-www-form-urlencoded", "brightness=100", "Origin", "https://evil.example"),
	}
	for name, status := range attacks {
		if status != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", name, status)
		}
	}
	if b := d.brightness.Load(); b != 0 {
		t.Fatalf("an attack set the brightness to %d", b)
	}
	// The dashboard that the CORS policy lists, and the device's own page.
	if s := send("application/json", `{"Brightness":40}`, "Sec-Fetch-Site", "same-site", "Origin", deviceDashboard); s != http.StatusOK {
		t.Errorf("the dashboard: status %d, want 200", s)
	}
	if s := send("application/x-www-form-urlencoded", "brightness=50", "Sec-Fetch-Site", "same-origin", "Origin", ts.url); s != http.StatusOK {
		t.Errorf("the device's own page: status %d, want 200", s)
	}
	if b := d.brightness.Load(); b != 50 {
		t.Errorf("brightness %d, want 50", b)
	}
	figure(t, "cross-site writes refused", "%d of %d (form post, text/plain fetch, old browser)", len(attacks), len(attacks))
}
