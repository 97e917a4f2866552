package main

import (
	"embed"
	"encoding/json"
	"log/slog"
	"net"
	"net/url"
	"strings"

	"github.com/microdot-go/microdot/microdot"
)

// The dashboard page, built into the binary: `go run ./examples/camera`
// needs no files beside it.
//
//go:embed dashboard/index.html dashboard/app.js dashboard/live.js dashboard/style.css dashboard/favicon.svg
var dashboardFiles embed.FS

// newDashboardApp returns the App that serves the dashboard page on its own
// origin. apiOrigin gives, for a request to the dashboard, the origin of the
// camera API that the page must call; the page learns it from /config.js.
func newDashboardApp(apiOrigin func(*microdot.Request) string, logger *slog.Logger) *microdot.App {
	app := microdot.New()
	app.Logger = logger

	static := func(name, contentType string) microdot.Handler {
		data, err := dashboardFiles.ReadFile("dashboard/" + name)
		if err != nil {
			panic(err) // the embed directive above lists every file
		}
		return func(req *microdot.Request) (*microdot.Response, error) {
			return microdot.Bytes(contentType, data).SetHeader("Cache-Control", "no-cache"), nil
		}
	}
	app.Get("/", static("index.html", "text/html; charset=utf-8"))
	app.Get("/app.js", static("app.js", "text/javascript; charset=utf-8"))
	app.Get("/live.js", static("live.js", "text/javascript; charset=utf-8"))
	app.Get("/style.css", static("style.css", "text/css; charset=utf-8"))
	app.Get("/favicon.svg", static("favicon.svg", "image/svg+xml"))
	app.Get("/config.js", func(req *microdot.Request) (*microdot.Response, error) {
		// json.Marshal escapes <, > and &, so the value cannot end the script.
		cfg, err := json.Marshal(map[string]string{"api": apiOrigin(req)})
		if err != nil {
			return nil, err
		}
		js := "// Written by the dashboard server: where the camera API is.\nwindow.CAMERA_CONFIG = " + string(cfg) + ";\n"
		return microdot.Bytes("text/javascript; charset=utf-8", []byte(js)).SetHeader("Cache-Control", "no-store"), nil
	})

	// A Content-Security-Policy that allows the page to talk to itself and
	// to the camera API, and to nothing else.
	security := func(req *microdot.Request, res *microdot.Response) *microdot.Response {
		api := apiOrigin(req)
		res.Header.Set("Content-Security-Policy", strings.Join([]string{
			"default-src 'none'",
			"script-src 'self'",
			"style-src 'self'",
			"img-src 'self' blob: " + api,
			"connect-src " + api + " ws" + strings.TrimPrefix(api, "http"), // fetch, EventSource, WebSocket
			"base-uri 'none'",
			"form-action 'none'",
			"frame-ancestors 'none'",
		}, "; "))
		res.Header.Set("X-Content-Type-Options", "nosniff")
		res.Header.Set("Referrer-Policy", "no-referrer")
		return nil
	}
	app.AfterRequest(security)
	app.AfterErrorRequest(security)
	return app
}

// apiOriginFor returns the function that gives the dashboard the API's
// origin. When the API listens on a specific address, that is its origin.
// When it listens on every address (0.0.0.0, ::), the page reached the
// dashboard by some host name, and the API is on that same host: the origin
// is made of the host of the request and the API's port.
func apiOriginFor(addr net.Addr) func(*microdot.Request) string {
	host, port, _ := net.SplitHostPort(addr.String())
	if ip := net.ParseIP(host); ip == nil || !ip.IsUnspecified() {
		fixed := "http://" + net.JoinHostPort(host, port)
		return func(*microdot.Request) string { return fixed }
	}
	return func(req *microdot.Request) string {
		h := (&url.URL{Host: req.Host}).Hostname()
		if h == "" || strings.Trim(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:") != "" {
			h = "127.0.0.1"
		}
		return "http://" + net.JoinHostPort(h, port)
	}
}
