package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/sse"
	"github.com/microdot-go/microdot/microdot/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// serveTestCamera serves tc's API on loopback until the test ends.
func serveTestCamera(t *testing.T, tc *testCamera) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(tc.client.Handler)
	t.Cleanup(srv.Close)
	return srv
}

// openEvents opens /api/events from the dashboard's origin.
func openEvents(t *testing.T, srv *httptest.Server) (*http.Response, *sse.Reader) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/events", nil)
	require.NoError(t, err)
	req.Header.Set("Origin", testDashboard)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { res.Body.Close() })
	return res, sse.NewReader(res.Body)
}

func nextStatus(t *testing.T, r *sse.Reader) liveStatus {
	t.Helper()
	m, err := r.Next()
	require.NoError(t, err)
	require.Equal(t, "status", m.Event)
	var st liveStatus
	require.NoError(t, json.Unmarshal([]byte(m.Data), &st))
	return st
}

func TestEventsPushTheStatusToTheDashboard(t *testing.T) {
	tc := newTestCamera(t)
	res, r := openEvents(t, serveTestCamera(t, tc))
	assert.Equal(t, "text/event-stream", res.Header.Get("Content-Type"))
	assert.Equal(t, testDashboard, res.Header.Get("Access-Control-Allow-Origin"), "the dashboard's origin may read the events")

	first, err := r.Next()
	require.NoError(t, err)
	assert.Equal(t, time.Second, first.Retry, "the dashboard retries quickly after a restart")
	var st liveStatus
	require.NoError(t, json.Unmarshal([]byte(first.Data), &st))
	assert.Equal(t, "640x480", st.Resolution)
	assert.Equal(t, DefaultSettings, st.Settings)
	assert.Equal(t, version, st.Version)

	// The next status comes within a second when nothing changes.
	assert.Equal(t, DefaultSettings, nextStatus(t, r).Settings)
}

func TestEverySubscriberSeesASettingsChangeAtOnce(t *testing.T) {
	tc := newTestCamera(t)
	srv := serveTestCamera(t, tc)
	_, sseA := openEvents(t, srv)
	_, sseB := openEvents(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ws, err := websocket.Dial(ctx, srv.URL+"/api/live", http.Header{"Origin": {testDashboard}})
	require.NoError(t, err)
	defer ws.Close()
	for _, r := range []*sse.Reader{sseA, sseB} {
		nextStatus(t, r)
	}
	_, _, err = ws.Receive()
	require.NoError(t, err)

	changed := DefaultSettings
	changed.Width, changed.Height = 800, 450
	require.NoError(t, tc.cam.SetSettings(changed))

	// Whatever was in flight before the change, the change arrives (the
	// browser test checks that it is at once; a busy machine may have
	// sent a few statuses before it).
	sawChange := func(next func() liveStatus) {
		t.Helper()
		for range 15 {
			if st := next(); st.Settings == changed {
				assert.Equal(t, "800x450", st.Resolution)
				return
			}
		}
		t.Fatal("the change was not pushed")
	}
	for _, r := range []*sse.Reader{sseA, sseB} {
		sawChange(func() liveStatus { return nextStatus(t, r) })
	}
	sawChange(func() liveStatus {
		msg, binary, err := ws.Receive()
		require.NoError(t, err)
		require.False(t, binary)
		var st liveStatus
		require.NoError(t, json.Unmarshal(msg, &st))
		return st
	})
}

func TestLiveWebSocketAcceptsOnlyTheCORSOrigins(t *testing.T) {
	tc := newTestCamera(t)
	srv := serveTestCamera(t, tc)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := websocket.Dial(ctx, srv.URL+"/api/live", http.Header{"Origin": {"http://evil.example"}})
	var he *websocket.HandshakeError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, http.StatusForbidden, he.StatusCode)

	ws, err := websocket.Dial(ctx, srv.URL+"/api/live", http.Header{"Origin": {testDashboard}})
	require.NoError(t, err)
	ws.Close()
}

func TestShutdownEndsTheLiveStatus(t *testing.T) {
	tc := newTestCamera(t)
	srv := serveTestCamera(t, tc)
	_, r := openEvents(t, srv)
	nextStatus(t, r)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ws, err := websocket.Dial(ctx, srv.URL+"/api/live", nil)
	require.NoError(t, err)
	_, _, err = ws.Receive()
	require.NoError(t, err)

	app := tc.client.Handler.(*microdot.App)
	require.NoError(t, app.Shutdown(ctx))
	for {
		if _, err := r.Next(); err != nil {
			break // the stream ended
		}
	}
	for {
		_, _, err := ws.Receive()
		if err != nil {
			assert.Equal(t, 1001, websocket.CloseStatus(err), "got %v", err)
			break
		}
	}
}

func TestSettingsErrorNamesTheFields(t *testing.T) {
	app := microdot.New()
	app.Get("/", func(*microdot.Request) (*microdot.Response, error) {
		return settingsError(Settings{Width: 10, Height: 480, Quality: 150, FPS: 10}.Validate()), nil
	})
	res := microdot.NewTestClient(app).Get("/")
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	var body struct {
		Error  string                    `json:"error"`
		Fields map[string]map[string]int `json:"fields"`
	}
	require.NoError(t, res.DecodeJSON(&body))
	assert.Equal(t, map[string]map[string]int{
		"width":   {"min": 160, "max": 1920},
		"quality": {"min": 1, "max": 100},
	}, body.Fields)
	assert.Contains(t, body.Error, "quality must be an integer from 1 to 100")
}
