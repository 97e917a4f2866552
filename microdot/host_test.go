package microdot_test

import (
	"bufio"
	"bytes"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/microdot-go/microdot/microdot"
)

func TestAllowedHosts(t *testing.T) {
	app := microdot.New()
	app.Logger = slog.New(slog.DiscardHandler)
	hookRan := false
	app.BeforeRequest(func(*microdot.Request) (*microdot.Response, error) {
		hookRan = true
		return nil, nil
	})
	app.Get("/", func(*microdot.Request) (*microdot.Response, error) { return microdot.Text("ok"), nil })
	require.NoError(t, app.SetAllowedHosts("localhost", "camera.local:8080", "192.168.1.20", "::1", "[fe80::1]:8000", ".lan.example"))

	tests := []struct {
		host string
		ok   bool
	}{
		{"localhost", true},
		{"localhost:8080", true},
		{"LOCALHOST:1", true},
		{"localhost.", true},
		{"camera.local:8080", true},
		{"Camera.Local:8080", true},
		{"camera.local", false},
		{"camera.local:8081", false},
		{"192.168.1.20", true},
		{"192.168.1.20:8080", true},
		{"192.168.1.21", false},
		{"[::1]:8080", true},
		{"[::1]", true},
		{"[fe80::1]:8000", true},
		{"[fe80::1]:8001", false},
		{"lan.example", true},
		{"cam.lan.example:80", true},
		{"evil-lan.example", false},
		{"rebind.attacker.example", false},
		{"rebind.attacker.example:8080", false},
		{"localhost.attacker.example", false},
		{"", false},
		{"localhost:", false},
		{"[::1", false},
		{"::1", true}, // a bare IPv6 address: not a valid Host, but an address, never a rebound name
	}
	for _, tt := range tests {
		hookRan = false
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Host = tt.host
		w := httptest.NewRecorder()
		app.ServeHTTP(w, req)
		if tt.ok {
			assert.Equal(t, http.StatusOK, w.Code, "host %q", tt.host)
			continue
		}
		assert.Equal(t, http.StatusMisdirectedRequest, w.Code, "host %q", tt.host)
		assert.False(t, hookRan, "no hook runs for host %q", tt.host)
		assert.Contains(t, w.Body.String(), "does not answer to the host")
	}
}

func TestAllowedHostsOffByDefault(t *testing.T) {
	app := microdot.New()
	app.Get("/", func(*microdot.Request) (*microdot.Response, error) { return microdot.Text("ok"), nil })
	assert.Nil(t, app.AllowedHosts())
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Host = "anything.example"
	w := httptest.NewRecorder()
	app.ServeHTTP(w, req)
	assert.Equal(t, http.StatusOK, w.Code)

	require.NoError(t, app.SetAllowedHosts("localhost"))
	assert.Equal(t, []string{"localhost"}, app.AllowedHosts())
	require.NoError(t, app.SetAllowedHosts())
	w = httptest.NewRecorder()
	app.ServeHTTP(w, req)
	assert.Equal(t, http.StatusOK, w.Code, "an empty list turns the check off")
}

func TestAllowedHostsRefusesBadEntries(t *testing.T) {
	app := microdot.New()
	require.NoError(t, app.SetAllowedHosts("localhost"))
	for _, bad := range []string{"", "*", "http://camera.local", "camera.local/x", "camera.local:0", "camera.local:99999",
		"camera.local:http", "user@camera.local", "camera local", "[::1", ".192.168.1.1", ":8080", "a:b:c"} {
		err := app.SetAllowedHosts("ok.example", bad)
		require.Error(t, err, "entry %q", bad)
		assert.Contains(t, err.Error(), "allowed host")
	}
	assert.Equal(t, []string{"localhost"}, app.AllowedHosts(), "a refused list changes nothing")
}

// Over a real connection: a DNS-rebinding request and an HTTP/1.0 request
// without Host get 421; the device's own name is served.
func TestAllowedHostsOnTheWire(t *testing.T) {
	app := microdot.New()
	app.Logger = slog.New(slog.DiscardHandler)
	app.Get("/", func(*microdot.Request) (*microdot.Response, error) { return microdot.Text("ok"), nil })
	require.NoError(t, app.SetAllowedHosts("127.0.0.1"))
	srv := httptest.NewServer(app)
	defer srv.Close()

	send := func(raw string) *http.Response {
		conn, err := net.DialTimeout("tcp", srv.Listener.Addr().String(), 10*time.Second)
		require.NoError(t, err)
		defer conn.Close()
		require.NoError(t, conn.SetDeadline(time.Now().Add(30*time.Second)))
		_, err = conn.Write([]byte(raw))
		require.NoError(t, err)
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		require.NoError(t, err)
		var body bytes.Buffer
		_, _ = body.ReadFrom(res.Body)
		res.Body.Close()
		return res
	}
	assert.Equal(t, 421, send("GET / HTTP/1.1\r\nHost: rebind.attacker.example:"+srv.Listener.Addr().(*net.TCPAddr).AddrPort().String()[len("127.0.0.1:"):]+"\r\n\r\n").StatusCode)
	assert.Equal(t, 421, send("GET / HTTP/1.0\r\n\r\n").StatusCode)
	assert.Equal(t, 200, send("GET / HTTP/1.1\r\nHost: "+srv.Listener.Addr().String()+"\r\n\r\n").StatusCode)
	// An absolute request target names the host too; it is the one checked.
	assert.Equal(t, 421, send("GET http://rebind.attacker.example/ HTTP/1.1\r\nHost: "+srv.Listener.Addr().String()+"\r\n\r\n").StatusCode)
	assert.True(t, strings.HasPrefix(srv.URL, "http://127.0.0.1"))
}

func ExampleApp_SetAllowedHosts() {
	app := microdot.New()
	app.Logger = slog.New(slog.DiscardHandler)
	app.Get("/", func(*microdot.Request) (*microdot.Response, error) { return microdot.Text("ok"), nil })
	if err := app.SetAllowedHosts("localhost", "camera.local", "192.168.1.20"); err != nil {
		panic(err)
	}
	for _, host := range []string{"camera.local:8080", "rebind.attacker.example"} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Host = host
		w := httptest.NewRecorder()
		app.ServeHTTP(w, req)
		fmt.Println(host, w.Code)
	}
	// Output:
	// camera.local:8080 200
	// rebind.attacker.example 421
}

// BenchmarkHostCheck compares a request to an App without allowed hosts
// with one to an App that checks them (the request's host is allowed).
func BenchmarkHostCheck(b *testing.B) {
	for _, hosts := range [][]string{nil, {"localhost", "127.0.0.1", "::1", "camera.local", "192.168.1.20"}} {
		name := "off"
		if hosts != nil {
			name = "on"
		}
		b.Run(name, func(b *testing.B) {
			app := microdot.New()
			app.Get("/", func(*microdot.Request) (*microdot.Response, error) { return microdot.Text("ok"), nil })
			if err := app.SetAllowedHosts(hosts...); err != nil {
				b.Fatal(err)
			}
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.Host = "192.168.1.20:8080"
			w := httptest.NewRecorder()
			b.ReportAllocs()
			for b.Loop() {
				w.Body.Reset()
				app.ServeHTTP(w, req)
			}
		})
	}
}
