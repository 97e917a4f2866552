package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/cors"
	"github.com/microdot-go/microdot/microdot/sse"
	"github.com/microdot-go/microdot/microdot/websocket"
)

// statusInterval is how often the live status is pushed when nothing
// changes: the frame count and the uptime move on their own.
const statusInterval = time.Second

// liveStatus is what /api/events and /api/live push: the status of
// GET /api/status and the settings, so that every open dashboard follows a
// change made in any of them.
type liveStatus struct {
	statusResponse
	Settings Settings `json:"settings"`
}

// currentStatus returns the camera's status now.
func (a *api) currentStatus() liveStatus {
	s := a.cam.Settings()
	return liveStatus{
		statusResponse: statusResponse{
			UptimeSeconds:    int64(a.cam.Uptime() / time.Second),
			Resolution:       fmt.Sprintf("%dx%d", s.Width, s.Height),
			FPS:              s.FPS,
			Quality:          s.Quality,
			Brightness:       s.Brightness,
			ClientsStreaming: a.cam.Viewers(),
			FramesRendered:   a.cam.FramesRendered(),
			Version:          version,
		},
		Settings: s,
	}
}

// pushStatus calls send with the status at once, then every statusInterval
// and as soon as the settings change, until ctx is done or send fails.
func (a *api) pushStatus(ctx context.Context, send func(liveStatus) error) error {
	tick := time.NewTicker(statusInterval)
	defer tick.Stop()
	for {
		changed := a.cam.SettingsChanged() // before reading them: no change is missed
		if err := send(a.currentStatus()); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		case <-changed:
		}
	}
}

// liveRoutes adds the status push: GET /api/events (Server-Sent Events, one
// "status" event per update) and GET /api/live (WebSocket, one JSON text
// message per update). The WebSocket accepts the origins that c allows, as
// fetch does.
func (a *api) liveRoutes(app *microdot.App, c *cors.CORS) {
	app.Get("/api/events", sse.Handler(func(req *microdot.Request, s *sse.SSE) error {
		first := true
		err := a.pushStatus(req.Context(), func(st liveStatus) error {
			opts := []sse.Option{sse.Event("status")}
			if first { // a dashboard that loses the stream retries after a second
				opts, first = append(opts, sse.Retry(time.Second)), false
			}
			return s.Send(st, opts...)
		})
		if req.Context().Err() != nil {
			return nil // the dashboard left, or the camera shuts down
		}
		return err
	}))
	live := websocket.Config{CORS: c}
	app.Get("/api/live", live.Handler(func(req *microdot.Request, ws *websocket.WebSocket) error {
		ctx, cancel := context.WithCancel(req.Context())
		defer cancel()
		go func() { // reads answer pings, and tell when the dashboard leaves
			defer cancel()
			for {
				if _, _, err := ws.Receive(); err != nil {
					return
				}
			}
		}()
		return a.pushStatus(ctx, func(st liveStatus) error {
			b, err := json.Marshal(st)
			if err != nil {
				return err
			}
			if err := ws.Send(string(b)); err != nil && ctx.Err() == nil {
				return err
			}
			return nil
		})
	}))
}

// SettingsChanged returns a channel that is closed at the next settings
// change.
func (c *Camera) SettingsChanged() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.changed == nil {
		c.changed = make(chan struct{})
	}
	return c.changed
}

// announceChange closes the channel of SettingsChanged. The caller holds c.mu.
func (c *Camera) announceChange() {
	if c.changed != nil {
		close(c.changed)
		c.changed = nil
	}
}

// settingsError is the 400 answer to a refused settings change: the
// messages joined under "error", as before, and under "fields" each setting
// out of range with its range, for the dashboard to highlight the field and
// say what it accepts.
func settingsError(err error) *microdot.Response {
	fields := map[string]map[string]int{}
	var walk func(error)
	walk = func(e error) {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		if r, ok := e.(*RangeError); ok {
			fields[r.Field] = map[string]int{"min": r.Min, "max": r.Max}
		}
	}
	walk(err)
	return microdot.JSON(map[string]any{"error": messages(err), "fields": fields}).WithStatus(http.StatusBadRequest)
}
