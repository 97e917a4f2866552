package main

import (
	"bytes"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/auth"
)

// loginFrom posts password to /api/login from the client address addr.
func loginFrom(tc *testCamera, addr, password string) *microdot.TestResponse {
	req, _ := http.NewRequest(http.MethodPost, "/api/login", strings.NewReader(`{"password":"`+password+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.RemoteAddr = addr
	return tc.client.Do(req)
}

func TestLoginIsThrottled(t *testing.T) {
	tc := newTestCamera(t)
	for range auth.DefaultFailures {
		assert.Equal(t, http.StatusUnauthorized, loginFrom(tc, "192.0.2.9:1", "guess").StatusCode)
	}
	for range 50 {
		res := loginFrom(tc, "192.0.2.9:2", "guess")
		require.Equal(t, http.StatusTooManyRequests, res.StatusCode)
		assert.NotEmpty(t, res.Header.Get("Retry-After"))
		assert.Contains(t, res.Text(), `"error":"too many failed attempts`)
	}
	assert.Equal(t, http.StatusTooManyRequests, loginFrom(tc, "192.0.2.9:3", testPassword).StatusCode)
	assert.Equal(t, http.StatusOK, loginFrom(tc, "192.0.2.10:1", testPassword).StatusCode, "another address logs in")
}

func TestWrongTokensAreThrottled(t *testing.T) {
	tc := newTestCamera(t)
	statuses := map[int]int{}
	for range 30 {
		req, _ := http.NewRequest(http.MethodPut, "/api/settings", strings.NewReader(`{"fps":5}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer guess")
		req.RemoteAddr = "192.0.2.11:1"
		statuses[tc.client.Do(req).StatusCode]++
	}
	assert.Equal(t, map[int]int{401: auth.DefaultFailures, 429: 30 - auth.DefaultFailures}, statuses)
}

// A logged-in user's browser visiting another site cannot be made to change
// the settings, log in or log out.
func TestCrossSiteWritesAreRefused(t *testing.T) {
	tc := newTestCamera(t)
	tc.login(t)
	before := tc.cam.Settings()
	attacks := []struct {
		method, path, body string
		header             []string
	}{
		{"PUT", "/api/settings", `{"brightness":90}`, []string{"Content-Type", "text/plain", "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}},
		{"POST", "/api/login", `{"password":"camera"}`, []string{"Content-Type", "text/plain", "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}},
		{"POST", "/api/logout", "", []string{"Content-Type", "application/x-www-form-urlencoded", "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}},
		{"PUT", "/api/settings", `{"brightness":90}`, []string{"Content-Type", "application/json", "Sec-Fetch-Site", "same-site", "Origin", "http://127.0.0.1:9999"}},
	}
	for _, a := range attacks {
		res := tc.client.Request(a.method, a.path, a.body, a.header...)
		assert.Equal(t, http.StatusForbidden, res.StatusCode, "%s %s %q", a.method, a.path, a.header)
		assert.Contains(t, res.Text(), "cross-site request")
	}
	assert.Equal(t, before, tc.cam.Settings())
	// The dashboard, which the CORS policy lists, still can.
	res := tc.client.Put("/api/settings", map[string]int{"brightness": 10}, "Sec-Fetch-Site", "same-site", "Origin", testDashboard)
	assert.Equal(t, http.StatusOK, res.StatusCode, res.Text())
}

func TestAllowedHostsOfTheCamera(t *testing.T) {
	specific := allowedHosts([]net.Addr{&net.TCPAddr{IP: net.IPv4(192, 168, 1, 20), Port: 8080}}, []string{"camera.local"})
	assert.Equal(t, []string{"localhost", "127.0.0.1", "::1", "192.168.1.20", "camera.local"}, specific)
	every := allowedHosts([]net.Addr{&net.TCPAddr{IP: net.IPv4zero, Port: 8080}}, nil)
	assert.Contains(t, every, "127.0.0.1")
	assert.NotContains(t, every, "0.0.0.0")
}

// Over the network: a DNS-rebinding request gets 421, the camera's own
// names are served, and -allowed-hosts adds names.
func TestRunRefusesForeignHosts(t *testing.T) {
	apiURL, dashURL, _, _ := startRun(t, "-api", "127.0.0.1:0", "-dashboard", "127.0.0.1:0", "-allowed-hosts", "camera.local")
	port := apiURL[strings.LastIndex(apiURL, ":")+1:]
	for host, want := range map[string]int{
		"rebind.attacker.example:" + port: http.StatusMisdirectedRequest,
		"localhost:" + port:               http.StatusOK,
		"127.0.0.1:" + port:               http.StatusOK,
		"camera.local:" + port:            http.StatusOK,
	} {
		req, err := http.NewRequest(http.MethodGet, apiURL+"/api/settings", nil)
		require.NoError(t, err)
		req.Host = host
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, want, res.StatusCode, host)
	}
	req, _ := http.NewRequest(http.MethodGet, dashURL, nil)
	req.Host = "rebind.attacker.example"
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusMisdirectedRequest, res.StatusCode)
}

func TestWarningForTheDefaultPasswordOnTheNetwork(t *testing.T) {
	lan := &net.TCPAddr{IP: net.IPv4zero, Port: 8080}
	loop := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}
	tests := []struct {
		addr     net.Addr
		password string
		warn     bool
	}{
		{lan, defaultPassword, true},
		{&net.TCPAddr{IP: net.IPv4(192, 168, 1, 20), Port: 8080}, defaultPassword, true},
		{lan, "s3cret-enough", false},
		{loop, defaultPassword, false},
	}
	for _, tt := range tests {
		var out, logs bytes.Buffer
		warnIfExposed(&out, slog.New(slog.NewTextHandler(&logs, nil)), tt.addr, tt.password)
		assert.Equal(t, tt.warn, strings.Contains(out.String(), "WARNING"), "%v %q", tt.addr, tt.password)
		assert.Equal(t, tt.warn, strings.Contains(logs.String(), "level=WARN"))
	}
}
