package auth_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/auth"
)

// clock is a test clock that moves only when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newClock() *clock { return &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }

// request sends a request from addr with the given credentials.
func request(c *microdot.TestClient, addr, creds string) *microdot.TestResponse {
	req, _ := http.NewRequest(http.MethodGet, "/", nil)
	req.RemoteAddr = addr
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(creds)))
	return c.Do(req)
}

func TestFailedCredentialsAreThrottled(t *testing.T) {
	var logs bytes.Buffer
	clk := newClock()
	app := microdot.New()
	checks := 0
	basic := auth.NewBasic(func(req *microdot.Request, u, p string) (any, error) {
		checks++
		return checkFooBar(req, u, p)
	})
	basic.Limiter = auth.NewLimiter(auth.Limit{Failures: 3, Every: 10 * time.Second,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	auth.SetClock(basic.Limiter, clk.now)
	app.Get("/", basic.Required(currentName))
	c := microdot.NewTestClient(app)

	for range 3 {
		assert.Equal(t, 401, request(c, "192.0.2.1:1000", "foo:wrong").StatusCode)
	}
	for range 100 {
		res := request(c, "192.0.2.1:1001", "foo:wrong")
		require.Equal(t, http.StatusTooManyRequests, res.StatusCode)
		assert.Equal(t, "10", res.Header.Get("Retry-After"))
	}
	assert.Equal(t, 3, checks, "throttled attempts are not checked")
	assert.Equal(t, 1, strings.Count(logs.String(), "throttling"), "one log line per throttled client: %s", logs.String())
	assert.Contains(t, logs.String(), "client=192.0.2.1")

	res := request(c, "192.0.2.1:1002", "foo:bar")
	assert.Equal(t, http.StatusTooManyRequests, res.StatusCode, "even the right password waits")
	assert.Equal(t, 200, request(c, "192.0.2.2:1000", "foo:bar").StatusCode, "another client is not throttled")

	clk.add(4 * time.Second)
	assert.Equal(t, "6", request(c, "192.0.2.1:1003", "foo:bar").Header.Get("Retry-After"))
	clk.add(6 * time.Second)
	assert.Equal(t, 200, request(c, "192.0.2.1:1004", "foo:bar").StatusCode, "one attempt earned back")
	assert.Equal(t, 401, request(c, "192.0.2.1:1005", "foo:wrong").StatusCode)
	assert.Equal(t, 429, request(c, "192.0.2.1:1006", "foo:bar").StatusCode)
}

func TestNoLimiter(t *testing.T) {
	app := microdot.New()
	basic := auth.NewBasic(checkFooBar)
	basic.Limiter = nil
	app.Get("/", basic.Required(currentName))
	c := microdot.NewTestClient(app)
	for range 50 {
		require.Equal(t, 401, request(c, "192.0.2.1:1", "foo:wrong").StatusCode)
	}
	assert.Equal(t, 200, request(c, "192.0.2.1:1", "foo:bar").StatusCode)
}

func TestTokenAuthIsThrottled(t *testing.T) {
	app := microdot.New()
	token := auth.NewToken(checkFoo)
	app.Get("/", token.Optional(currentString))
	c := microdot.NewTestClient(app)
	statuses := map[int]int{}
	for i := range 20 {
		req, _ := http.NewRequest(http.MethodGet, "/", nil)
		req.RemoteAddr = "[2001:db8::1]:1"
		req.Header.Set("Authorization", fmt.Sprintf("Bearer guess%d", i))
		statuses[c.Do(req).StatusCode]++
	}
	assert.Equal(t, map[int]int{200: auth.DefaultFailures, 429: 20 - auth.DefaultFailures}, statuses)
	// Without credentials the optional route still answers.
	req, _ := http.NewRequest(http.MethodGet, "/", nil)
	req.RemoteAddr = "[2001:db8::1]:1"
	assert.Equal(t, 200, c.Do(req).StatusCode)
}

func TestClientAddress(t *testing.T) {
	tests := map[string]string{
		"192.0.2.1:1234":              "192.0.2.1",
		"[2001:db8:1:2:3:4:5:6]:1234": "2001:db8:1:2::/64",
		"[2001:db8:1:2:ff::]:1":       "2001:db8:1:2::/64",
		"[::ffff:192.0.2.1]:1":        "::ffff:192.0.2.1",
		"pipe":                        "pipe",
		"":                            "",
	}
	for addr, want := range tests {
		r := &http.Request{RemoteAddr: addr}
		assert.Equal(t, want, auth.ClientAddress(r), addr)
	}
}

// Memory stays bounded under a flood of addresses: idle clients are
// forgotten, and past MaxClients new ones share one count.
func TestLimiterMemoryIsBounded(t *testing.T) {
	clk := newClock()
	lim := auth.NewLimiter(auth.Limit{Failures: 2, Every: time.Second, MaxClients: 100, Logger: slog.New(slog.DiscardHandler)})
	auth.SetClock(lim, clk.now)
	fail := func(i int) {
		lim.Fail(&http.Request{RemoteAddr: fmt.Sprintf("10.0.%d.%d:1", i/256, i%256)})
	}
	for i := range 1000 {
		fail(i)
	}
	assert.Equal(t, 100, auth.Tracked(lim))
	// The clients beyond the bound share a count, which they exhausted.
	assert.Positive(t, lim.Wait(&http.Request{RemoteAddr: "10.9.9.9:1"}))
	// Once the tracked clients are idle, they make room for new ones.
	clk.add(5 * time.Second)
	fail(5000)
	assert.Equal(t, 1, auth.Tracked(lim))
	assert.Zero(t, lim.Wait(&http.Request{RemoteAddr: "10.9.9.9:1"}))
}

func TestLimiterIsSafeForConcurrentUse(t *testing.T) {
	lim := auth.NewLimiter(auth.Limit{MaxClients: 10, Logger: slog.New(slog.DiscardHandler)})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				r := &http.Request{RemoteAddr: fmt.Sprintf("10.0.%d.%d:1", g, i%20)}
				lim.Fail(r)
				lim.Wait(r)
			}
		}()
	}
	wg.Wait()
	assert.LessOrEqual(t, auth.Tracked(lim), 10)
}
