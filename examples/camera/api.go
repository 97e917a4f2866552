package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/cors"
	"github.com/microdot-go/microdot/microdot/csrf"
)

// version is the camera firmware's version, as /api/status reports it.
const version = "1.0.0"

// The headers that carry a frame's number and resolution. They are not
// CORS-safelisted, so the CORS policy exposes them to the dashboard's scripts.
const (
	hFrameNumber     = "X-Frame-Number"
	hFrameResolution = "X-Frame-Resolution"
)

// streamBoundary separates the parts of the MJPEG stream.
const streamBoundary = "frame"

// api serves the camera's HTTP API; auth serves its login.
type api struct {
	cam *Camera
}

// newAPIApp returns the App of the camera API, with the CORS policy cfg
// attached, and the CORS extension (whose Update changes the policy while
// the App serves).
func newAPIApp(cam *Camera, auth *Auth, cfg cors.Config, logger *slog.Logger) (*microdot.App, *cors.CORS, error) {
	a := &api{cam: cam}
	app := microdot.New()
	app.Logger = logger
	app.MaxBodyBytes = 16 << 10 // logins and settings are a few bytes

	app.Get("/", a.index)
	app.Get("/api/status", a.status)
	app.Get("/api/snapshot", a.snapshot)
	app.Get("/api/stream", a.stream)
	app.Get("/api/settings", a.getSettings)
	app.Put("/api/settings", auth.requireAuth(a.putSettings))
	app.Post("/api/login", auth.handleLogin)
	app.Post("/api/logout", auth.handleLogout)
	app.Get("/api/session", auth.handleSession)

	// Every error is JSON, as the dashboard expects: 400, 401, 404, 405,
	// 413, 415 and any other Abort.
	microdot.HandleError(app, func(req *microdot.Request, err *microdot.HTTPError) (*microdot.Response, error) {
		msg := err.Reason
		if msg == "" {
			msg = http.StatusText(err.Status)
		}
		return apiError(err.Status, msg), nil
	})
	nosniff := func(req *microdot.Request, res *microdot.Response) *microdot.Response {
		res.Header.Set("X-Content-Type-Options", "nosniff")
		return nil
	}
	app.AfterRequest(nosniff)
	app.AfterErrorRequest(nosniff)

	// The CORS extension answers preflights and hooks both the success and
	// the error paths, so that its headers are on every response: the
	// dashboard can read a 401 or a 400 and show why its call failed.
	c, err := cors.New(app, cfg)
	if err != nil {
		return nil, nil, err
	}
	// Cross-site writes are refused: a page on another site cannot change
	// the settings or log in, even with the visitor's cookie; the origins
	// that the CORS policy lists (the dashboard) are trusted.
	if _, err := csrf.New(app, c); err != nil {
		return nil, nil, err
	}
	a.liveRoutes(app, c) // status.go
	return app, c, nil
}

// apiError returns the JSON error response {"error": msg} with status.
func apiError(status int, msg string) *microdot.Response {
	return microdot.JSON(map[string]string{"error": msg}).WithStatus(status)
}

func (a *api) index(req *microdot.Request) (*microdot.Response, error) {
	return microdot.JSON(map[string]any{
		"name":    "microdot camera",
		"version": version,
		"endpoints": []string{
			"GET /api/status", "GET /api/snapshot", "GET /api/stream",
			"GET /api/settings", "PUT /api/settings",
			"GET /api/events", "GET /api/live",
			"POST /api/login", "POST /api/logout", "GET /api/session",
		},
	}), nil
}

// statusResponse is the body of GET /api/status.
type statusResponse struct {
	UptimeSeconds    int64  `json:"uptime_seconds"`
	Resolution       string `json:"resolution"`
	FPS              int    `json:"fps"`
	Quality          int    `json:"quality"`
	Brightness       int    `json:"brightness"`
	ClientsStreaming int    `json:"clients_streaming"`
	FramesRendered   uint64 `json:"frames_rendered"`
	Version          string `json:"version"`
}

func (a *api) status(req *microdot.Request) (*microdot.Response, error) {
	return microdot.JSON(a.currentStatus().statusResponse).SetHeader("Cache-Control", "no-store"), nil
}

func (a *api) snapshot(req *microdot.Request) (*microdot.Response, error) {
	f := a.cam.Snapshot()
	return microdot.Bytes("image/jpeg", f.JPEG).
		SetHeader("Cache-Control", "no-store").
		SetHeader("Content-Length", strconv.Itoa(len(f.JPEG))).
		SetHeader(hFrameNumber, strconv.FormatUint(f.Number, 10)).
		SetHeader(hFrameResolution, fmt.Sprintf("%dx%d", f.Width, f.Height)), nil
}

// stream serves MJPEG: a multipart/x-mixed-replace response whose parts are
// the camera's frames, which browsers show in an <img> as live video. The
// stream lasts until the viewer goes away or the server shuts down; both
// cancel ctx, which ends Watch.
func (a *api) stream(req *microdot.Request) (*microdot.Response, error) {
	produce := func(ctx context.Context, w io.Writer) error {
		var part bytes.Buffer
		return a.cam.Watch(ctx, func(f *Frame) error {
			// One Write per part: each Write is flushed to the client.
			part.Reset()
			fmt.Fprintf(&part, "--%s\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n%s: %d\r\n\r\n",
				streamBoundary, len(f.JPEG), hFrameNumber, f.Number)
			part.Write(f.JPEG)
			part.WriteString("\r\n")
			_, err := w.Write(part.Bytes())
			return err
		})
	}
	return microdot.Stream("multipart/x-mixed-replace; boundary="+streamBoundary, produce).
		SetHeader("Cache-Control", "no-store"), nil
}

func (a *api) getSettings(req *microdot.Request) (*microdot.Response, error) {
	return microdot.JSON(a.cam.Settings()).SetHeader("Cache-Control", "no-store"), nil
}

// putSettings changes the settings named in a JSON object; the others keep
// their values. Every problem is reported at once, each naming the setting
// and its allowed range, and nothing changes unless all is well.
func (a *api) putSettings(req *microdot.Request) (*microdot.Response, error) {
	var raw map[string]json.RawMessage
	if err := req.DecodeJSON(&raw); err != nil {
		return nil, err
	}
	if len(raw) == 0 {
		return apiError(http.StatusBadRequest, "no setting given: send a JSON object with some of width, height, quality, fps and brightness"), nil
	}
	var applied Settings
	err := a.cam.UpdateSettings(func(s *Settings) error {
		var errs []error
		for _, f := range settingFields {
			v, ok := raw[f.name]
			if !ok {
				continue
			}
			var n int
			if err := json.Unmarshal(v, &n); err != nil || string(v) == "null" {
				errs = append(errs, &RangeError{Field: f.name, Value: string(v), Min: f.min, Max: f.max})
				continue
			}
			if n < f.min || n > f.max {
				errs = append(errs, &RangeError{Field: f.name, Value: n, Min: f.min, Max: f.max})
				continue
			}
			*f.of(s) = n
		}
		for _, name := range slices.Sorted(maps.Keys(raw)) {
			if !slices.ContainsFunc(settingFields[:], func(f settingField) bool { return f.name == name }) {
				errs = append(errs, fmt.Errorf("unknown setting %q: the settings are width, height, quality, fps and brightness", name))
			}
		}
		if len(errs) > 0 {
			return errors.Join(errs...)
		}
		applied = *s // UpdateSettings validates it before putting it in force
		return nil
	})
	if err != nil {
		return settingsError(err), nil // status.go
	}
	return microdot.JSON(applied), nil
}

// messages returns the messages of the errors joined in err, separated by
// semicolons.
func messages(err error) string {
	var out []string
	var walk func(error)
	walk = func(e error) {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		out = append(out, e.Error())
	}
	walk(err)
	return strings.Join(out, "; ")
}
