package main

import (
	"bytes"
	"context"
	"image/jpeg"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/cors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testPassword  = "s3cret"
	testDashboard = "http://127.0.0.1:8081"
	testAPI       = "http://127.0.0.1:8080"
)

// testCamera is the camera API of one test, served in memory.
type testCamera struct {
	client *microdot.TestClient
	cam    *Camera
	cors   *cors.CORS
}

// newTestCamera returns the API with the flags' CORS policy for the
// dashboard at testDashboard, and its sensor running until the test ends.
func newTestCamera(t *testing.T) *testCamera {
	t.Helper()
	cam := NewCamera(DefaultSettings, "TEST CAMERA")
	app, c, err := newAPIApp(cam, newTestAuth(t, testPassword), flagCORSConfig([]string{testDashboard}), slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		cam.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	client := microdot.NewTestClient(app)
	client.BaseURL = testAPI
	return &testCamera{client: client, cam: cam, cors: c}
}

// newTestAuth returns the camera's Auth for password, with a random key.
func newTestAuth(t *testing.T, password string) *Auth {
	t.Helper()
	a, err := NewAuth(password, time.Hour, "", slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	return a
}

// login logs tc's client in (the cookie goes to its jar) and returns the
// bearer token.
func (tc *testCamera) login(t *testing.T) string {
	t.Helper()
	res := tc.client.Post("/api/login", map[string]string{"password": testPassword})
	require.Equal(t, http.StatusOK, res.StatusCode, res.Text())
	var body loginResponse
	require.NoError(t, res.DecodeJSON(&body))
	require.NotEmpty(t, body.Token)
	return body.Token
}

func TestStatus(t *testing.T) {
	tc := newTestCamera(t)
	res := tc.client.Get("/api/status")
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "application/json", res.Header.Get("Content-Type"))
	assert.Equal(t, "no-store", res.Header.Get("Cache-Control"))
	var s statusResponse
	require.NoError(t, res.DecodeJSON(&s))
	assert.Equal(t, "640x480", s.Resolution)
	assert.Equal(t, 10, s.FPS)
	assert.Equal(t, 75, s.Quality)
	assert.Equal(t, 0, s.Brightness)
	assert.Equal(t, 0, s.ClientsStreaming)
	assert.Equal(t, version, s.Version)
	assert.GreaterOrEqual(t, s.UptimeSeconds, int64(0))

	// The JSON names are the documented ones.
	for _, key := range []string{"uptime_seconds", "resolution", "fps", "quality", "brightness", "clients_streaming", "frames_rendered", "version"} {
		assert.Contains(t, res.Text(), `"`+key+`":`)
	}
}

func TestSnapshotIsJPEG(t *testing.T) {
	tc := newTestCamera(t)
	res := tc.client.Get("/api/snapshot")
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "image/jpeg", res.Header.Get("Content-Type"))
	assert.Equal(t, "no-store", res.Header.Get("Cache-Control"))
	assert.Equal(t, "640x480", res.Header.Get(hFrameResolution))
	assert.NotEmpty(t, res.Header.Get(hFrameNumber))
	img, err := jpeg.Decode(bytes.NewReader(res.Body))
	require.NoError(t, err)
	assert.Equal(t, 640, img.Bounds().Dx())
	assert.Equal(t, 480, img.Bounds().Dy())
}

func TestSettingsValidation(t *testing.T) {
	tc := newTestCamera(t)
	token := tc.login(t)
	auth := []string{"Authorization", "Bearer " + token}
	before := tc.cam.Settings()

	for _, c := range []struct {
		name, body string
		status     int
		want       []string // in the error message
	}{
		{"width too small", `{"width": 10}`, 400, []string{"width must be an integer from 160 to 1920, got 10"}},
		{"width too large", `{"width": 4000}`, 400, []string{"width must be an integer from 160 to 1920"}},
		{"height", `{"height": 100}`, 400, []string{"height must be an integer from 120 to 1080"}},
		{"quality zero", `{"quality": 0}`, 400, []string{"quality must be an integer from 1 to 100, got 0"}},
		{"quality too high", `{"quality": 101}`, 400, []string{"quality must be an integer from 1 to 100"}},
		{"fps", `{"fps": 31}`, 400, []string{"fps must be an integer from 1 to 30"}},
		{"brightness", `{"brightness": -101}`, 400, []string{"brightness must be an integer from -100 to 100"}},
		{"not a number", `{"quality": "high"}`, 400, []string{`quality must be an integer from 1 to 100, got "high"`}},
		{"fraction", `{"fps": 2.5}`, 400, []string{"fps must be an integer from 1 to 30, got 2.5"}},
		{"null", `{"fps": null}`, 400, []string{"fps must be an integer from 1 to 30, got null"}},
		{"unknown setting", `{"zoom": 2}`, 400, []string{`unknown setting "zoom"`}},
		{"every problem at once", `{"width": 1, "quality": 500, "zoom": 2}`, 400,
			[]string{"width must be", "quality must be", `unknown setting "zoom"`}},
		{"valid and invalid together", `{"width": 320, "fps": 0}`, 400, []string{"fps must be an integer from 1 to 30"}},
		{"empty object", `{}`, 400, []string{"no setting given"}},
		{"not an object", `[1, 2]`, 400, []string{"malformed JSON body"}},
		{"malformed", `{"width": `, 400, []string{"malformed JSON body"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := tc.client.Put("/api/settings", c.body, append([]string{"Content-Type", "application/json"}, auth...)...)
			assert.Equal(t, c.status, res.StatusCode, res.Text())
			var body struct{ Error string }
			require.NoError(t, res.DecodeJSON(&body), res.Text())
			for _, w := range c.want {
				assert.Contains(t, body.Error, w)
			}
			assert.Equal(t, before, tc.cam.Settings(), "a refused request changes nothing")
		})
	}

	res := tc.client.Put("/api/settings", `{"width": 320}`, auth...) // no Content-Type
	assert.Equal(t, http.StatusUnsupportedMediaType, res.StatusCode)
	assert.Contains(t, res.Text(), "application/json")
}

func TestSettingsChangeShowsInStatusAndFrames(t *testing.T) {
	tc := newTestCamera(t)
	tc.login(t)
	res := tc.client.Put("/api/settings", map[string]int{"width": 320, "height": 240, "quality": 50, "brightness": 40})
	require.Equal(t, http.StatusOK, res.StatusCode, res.Text())
	var applied Settings
	require.NoError(t, res.DecodeJSON(&applied))
	assert.Equal(t, Settings{Width: 320, Height: 240, Quality: 50, FPS: 10, Brightness: 40}, applied)

	var s statusResponse
	require.NoError(t, tc.client.Get("/api/status").DecodeJSON(&s))
	assert.Equal(t, "320x240", s.Resolution)
	assert.Equal(t, 50, s.Quality)
	assert.Equal(t, 40, s.Brightness)

	snap := tc.client.Get("/api/snapshot")
	assert.Equal(t, "320x240", snap.Header.Get(hFrameResolution))
	img, err := jpeg.Decode(bytes.NewReader(snap.Body))
	require.NoError(t, err)
	assert.Equal(t, 320, img.Bounds().Dx())
	assert.Equal(t, 240, img.Bounds().Dy())

	var got Settings
	require.NoError(t, tc.client.Get("/api/settings").DecodeJSON(&got))
	assert.Equal(t, applied, got)
}

func TestLoginAndUnauthorized(t *testing.T) {
	tc := newTestCamera(t)
	change := map[string]int{"fps": 5}

	res := tc.client.Put("/api/settings", change)
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
	assert.Contains(t, res.Text(), "log in first")
	assert.Equal(t, `Bearer realm="camera"`, res.Header.Get("WWW-Authenticate"))

	res = tc.client.Post("/api/login", map[string]string{"password": "wrong"})
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
	assert.Contains(t, res.Text(), "wrong password")
	assert.Empty(t, res.Header.Values("Set-Cookie"))
	assert.Equal(t, http.StatusUnauthorized, tc.client.Put("/api/settings", change).StatusCode)

	var session map[string]bool
	require.NoError(t, tc.client.Get("/api/session").DecodeJSON(&session))
	assert.False(t, session["authenticated"])

	// The login sets the session cookie, with the attributes that keep it
	// safe, and returns the same token for Authorization headers.
	res = tc.client.Post("/api/login", map[string]string{"password": testPassword})
	require.Equal(t, http.StatusOK, res.StatusCode)
	cookies := (&http.Response{Header: res.Header}).Cookies()
	require.Len(t, cookies, 1)
	ck := cookies[0]
	assert.Equal(t, sessionCookie, ck.Name)
	assert.True(t, ck.HttpOnly)
	assert.Equal(t, http.SameSiteStrictMode, ck.SameSite)
	assert.Equal(t, "/api", ck.Path)
	assert.Greater(t, ck.MaxAge, 0)
	var login loginResponse
	require.NoError(t, res.DecodeJSON(&login))
	assert.Equal(t, ck.Value, login.Token)

	// With the cookie (the client's jar sends it).
	require.NoError(t, tc.client.Get("/api/session").DecodeJSON(&session))
	assert.True(t, session["authenticated"])
	res = tc.client.Put("/api/settings", change)
	assert.Equal(t, http.StatusOK, res.StatusCode, res.Text())
	assert.Equal(t, 5, tc.cam.Settings().FPS)

	// With the bearer token and no cookie.
	bare := microdot.NewTestClient(tc.client.Handler)
	bare.Jar = nil
	assert.Equal(t, http.StatusUnauthorized, bare.Put("/api/settings", change).StatusCode)
	res = bare.Put("/api/settings", map[string]int{"fps": 7}, "Authorization", "Bearer "+login.Token)
	assert.Equal(t, http.StatusOK, res.StatusCode, res.Text())
	assert.Equal(t, 7, tc.cam.Settings().FPS)
	assert.Equal(t, http.StatusUnauthorized, bare.Put("/api/settings", change, "Authorization", "Bearer nope").StatusCode)
	assert.Equal(t, http.StatusUnauthorized, bare.Put("/api/settings", change, "Authorization", "Basic "+login.Token).StatusCode)

	// A wrong Authorization header is not rescued by a good cookie.
	assert.Equal(t, http.StatusUnauthorized, tc.client.Put("/api/settings", change, "Authorization", "Bearer nope").StatusCode)

	// Logging out closes the session and deletes the cookie.
	res = tc.client.Post("/api/logout", nil)
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, res.Header.Get("Set-Cookie"), "Max-Age=0")
	assert.Equal(t, http.StatusUnauthorized, tc.client.Put("/api/settings", change).StatusCode)
	assert.Equal(t, http.StatusUnauthorized, bare.Put("/api/settings", change, "Authorization", "Bearer "+login.Token).StatusCode)
}

func TestStreamDeliversPartsThenStops(t *testing.T) {
	tc := newTestCamera(t)
	require.NoError(t, tc.cam.SetSettings(Settings{Width: 160, Height: 120, Quality: 50, FPS: 30}))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "/api/stream", nil)
	require.NoError(t, err)
	result := make(chan *microdot.TestResponse, 1)
	go func() { result <- tc.client.Do(req) }()

	// The viewer is counted while it watches.
	waitFor(t, 5*time.Second, func() bool { return tc.cam.Viewers() == 1 }, "the stream never started")
	var s statusResponse
	require.NoError(t, tc.client.Get("/api/status").DecodeJSON(&s))
	assert.Equal(t, 1, s.ClientsStreaming)
	start := tc.cam.FramesRendered()
	waitFor(t, 5*time.Second, func() bool { return tc.cam.FramesRendered() >= start+3 }, "no frames rendered")

	// The viewer leaves: the stream ends and the viewer is no longer counted.
	cancel()
	var res *microdot.TestResponse
	select {
	case res = <-result:
	case <-time.After(5 * time.Second):
		t.Fatal("the stream did not stop when its context was cancelled")
	}
	assert.Equal(t, 0, tc.cam.Viewers())
	require.NoError(t, tc.client.Get("/api/status").DecodeJSON(&s))
	assert.Equal(t, 0, s.ClientsStreaming)

	require.Equal(t, http.StatusOK, res.StatusCode)
	mt, params, err := mime.ParseMediaType(res.Header.Get("Content-Type"))
	require.NoError(t, err)
	assert.Equal(t, "multipart/x-mixed-replace", mt)
	assert.Equal(t, "frame", params["boundary"])

	parts := 0
	mr := multipart.NewReader(bytes.NewReader(res.Body), params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			// The stream was cut, not closed: the last part may be partial.
			break
		}
		data, err := io.ReadAll(p)
		if err != nil {
			break
		}
		assert.Equal(t, "image/jpeg", p.Header.Get("Content-Type"))
		img, err := jpeg.Decode(bytes.NewReader(data))
		require.NoError(t, err, "part %d", parts)
		assert.Equal(t, 160, img.Bounds().Dx())
		parts++
	}
	assert.GreaterOrEqual(t, parts, 2, "the stream delivered %d parts", parts)
}

func TestBroadcastRendersOncePerTickForAllViewers(t *testing.T) {
	tc := newTestCamera(t)
	require.NoError(t, tc.cam.SetSettings(Settings{Width: 160, Height: 120, Quality: 50, FPS: 20}))
	ctx, cancel := context.WithCancel(context.Background())
	const viewers = 5
	got := make(chan []uint64, viewers)
	for range viewers {
		go func() {
			var seen []uint64
			tc.cam.Watch(ctx, func(f *Frame) error {
				seen = append(seen, f.Number)
				return nil
			})
			got <- seen
		}()
	}
	waitFor(t, 5*time.Second, func() bool { return tc.cam.Viewers() == viewers }, "viewers did not join")
	start := tc.cam.FramesRendered()
	time.Sleep(500 * time.Millisecond)
	rendered := tc.cam.FramesRendered() - start
	cancel()
	total := 0
	for range viewers {
		total += len(<-got)
	}
	waitFor(t, 5*time.Second, func() bool { return tc.cam.Viewers() == 0 }, "viewers were not released")
	// 20 fps for half a second is about 10 frames, whatever the number of
	// viewers; each viewer sees them all.
	assert.LessOrEqual(t, rendered, uint64(16), "frames are rendered per tick, not per viewer")
	assert.GreaterOrEqual(t, total, viewers*2)
}

func TestCORSPreflightAndCredentialedRequests(t *testing.T) {
	tc := newTestCamera(t)

	// The preflight of the dashboard's settings change.
	res := tc.client.Options("/api/settings",
		"Origin", testDashboard,
		"Access-Control-Request-Method", "PUT",
		"Access-Control-Request-Headers", "content-type")
	assert.Equal(t, http.StatusNoContent, res.StatusCode)
	assert.Equal(t, testDashboard, res.Header.Get("Access-Control-Allow-Origin"))
	assert.Equal(t, "true", res.Header.Get("Access-Control-Allow-Credentials"))
	assert.Equal(t, "PUT", res.Header.Get("Access-Control-Allow-Methods"))
	assert.Contains(t, strings.ToLower(res.Header.Get("Access-Control-Allow-Headers")), "content-type")
	assert.Equal(t, "600", res.Header.Get("Access-Control-Max-Age"))
	assert.Contains(t, res.Header.Get("Vary"), "Origin")

	// Authorization is allowed too.
	res = tc.client.Options("/api/settings",
		"Origin", testDashboard,
		"Access-Control-Request-Method", "PUT",
		"Access-Control-Request-Headers", "authorization,content-type")
	assert.Equal(t, http.StatusNoContent, res.StatusCode)

	// Another origin, a method the route does not serve, a header not
	// allowed: refused, with no CORS header for the browser to accept.
	for _, h := range [][]string{
		{"Origin", "http://127.0.0.1:9999", "Access-Control-Request-Method", "PUT"},
		{"Origin", "http://evil.example", "Access-Control-Request-Method", "PUT"},
		{"Origin", testDashboard, "Access-Control-Request-Method", "DELETE"},
		{"Origin", testDashboard, "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "x-secret"},
	} {
		res := tc.client.Options("/api/settings", h...)
		assert.Equal(t, http.StatusForbidden, res.StatusCode, "%v", h)
		assert.Empty(t, res.Header.Get("Access-Control-Allow-Origin"), "%v", h)
	}

	// A credentialed snapshot: the dashboard may read it and its frame
	// headers; another origin gets no CORS headers.
	res = tc.client.Get("/api/snapshot", "Origin", testDashboard)
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, testDashboard, res.Header.Get("Access-Control-Allow-Origin"))
	assert.Equal(t, "true", res.Header.Get("Access-Control-Allow-Credentials"))
	assert.Contains(t, res.Header.Get("Access-Control-Expose-Headers"), hFrameNumber)
	assert.Contains(t, res.Header.Get("Access-Control-Expose-Headers"), hFrameResolution)
	assert.Contains(t, res.Header.Get("Vary"), "Origin")

	res = tc.client.Get("/api/status", "Origin", "http://127.0.0.1:9999")
	assert.Equal(t, http.StatusOK, res.StatusCode, "CORS is not access control: the server answers")
	assert.Empty(t, res.Header.Get("Access-Control-Allow-Origin"), "but the browser will not let the page read it")
	assert.Empty(t, res.Header.Get("Access-Control-Allow-Credentials"))
	assert.Contains(t, res.Header.Get("Vary"), "Origin")

	// Error responses carry the CORS headers, so the page can show them.
	res = tc.client.Put("/api/settings", map[string]int{"fps": 5}, "Origin", testDashboard)
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
	assert.Equal(t, testDashboard, res.Header.Get("Access-Control-Allow-Origin"))
	res = tc.client.Get("/api/nothing", "Origin", testDashboard)
	assert.Equal(t, http.StatusNotFound, res.StatusCode)
	assert.Equal(t, testDashboard, res.Header.Get("Access-Control-Allow-Origin"))
	assert.Contains(t, res.Text(), `"error"`)
}

// waitFor polls cond every few milliseconds until it holds, and fails the
// test with msg after timeout.
func waitFor(t *testing.T, timeout time.Duration, cond func() bool, msg string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal(msg)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A burst of concurrent snapshots shares renders: far fewer frames are
// rendered than snapshots served.
func TestSnapshotBurstSharesRenders(t *testing.T) {
	s := DefaultSettings
	s.FPS = 1 // a frame stays current for a second
	cam := NewCamera(s, "test")
	before := cam.rendered.Load()
	var wg sync.WaitGroup
	for i := 0; i < 64; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if f := cam.Snapshot(); f == nil || len(f.JPEG) == 0 {
				t.Error("no frame")
			}
		}()
	}
	wg.Wait()
	assert.LessOrEqual(t, cam.rendered.Load()-before, uint64(2), "64 concurrent snapshots")
}
