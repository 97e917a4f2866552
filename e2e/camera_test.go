package e2e

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

var updateScreenshot = flag.Bool("update-screenshot", false,
	"also write the dashboard screenshot to docs/camera-dashboard.png, which the documentation shows")

// The settings the test applies through the dashboard: a resolution other
// than the default 640x480, so that the next snapshot shows the change.
const (
	newWidth, newHeight = 800, 450
	password            = "e2e-password"
)

// blockedPage is served from an origin that the camera's CORS policy does not
// list. Its probe calls the camera API as the dashboard does, and reports how
// each call ended.
const blockedPage = `<!doctype html>
<meta charset="utf-8">
<title>Not the dashboard</title>
<h1>A page on an origin that the camera does not allow</h1>
<script>
async function attempt(url, options) {
  try {
    const res = await fetch(url, options);
    return {blocked: false, status: res.status, type: res.type};
  } catch (err) {
    return {blocked: true, name: err.name, message: err.message};
  }
}
window.probe = async (api) => ({
  status: await attempt(api + '/api/status'),
  snapshot: await attempt(api + '/api/snapshot', {credentials: 'include'}),
  settings: await attempt(api + '/api/settings', {
    method: 'PUT',
    credentials: 'include',
    headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({width: 160, height: 120}),
  }),
  // The control: without CORS (mode no-cors) the call succeeds with an
  // opaque response, which proves that the camera answers and that it is
  // the browser that keeps the responses above from the page.
  opaque: await attempt(api + '/api/status', {mode: 'no-cors'}),
});
</script>`

// fetchResult is how one of the probe's fetch calls ended.
type fetchResult struct {
	Blocked bool   `json:"blocked"`
	Name    string `json:"name"`
	Message string `json:"message"`
	Status  int    `json:"status"`
	Type    string `json:"type"`
}

// TestCameraDashboard drives the camera's dashboard in a real browser: the
// live stream, the status, a snapshot, a login and a settings change, all
// across origins through CORS; then checks that a page on an origin the
// policy does not list is blocked by the browser, that no request left the
// machine, and that the camera shuts down cleanly.
func TestCameraDashboard(t *testing.T) {
	chrome := chromePath(t)
	cam := startCamera(t, password)
	third := serveThirdOrigin(t, blockedPage)
	b := newBrowser(t, chrome)
	t.Logf("camera API %s, dashboard %s, third origin %s", cam.apiURL, cam.dashURL, third)

	const wait = 20 * time.Second
	byID := func(id string) string { return fmt.Sprintf("document.getElementById(%q)", id) }

	t.Run("status", func(t *testing.T) {
		b.do(t, wait, chromedp.Navigate(cam.dashURL))
		b.waitJS(t, wait, "the status never showed",
			byID("status-version")+`.textContent === "1.0.0" && `+
				byID("status-resolution")+`.textContent === "640x480" && `+
				byID("status-message")+`.dataset.state === "ok"`)
		api := eval[string](t, b, wait, byID("api-origin")+".textContent")
		if api != cam.apiURL {
			t.Errorf("the page calls %q, want %q", api, cam.apiURL)
		}
	})

	t.Run("stream", func(t *testing.T) {
		b.waitJS(t, wait, "the stream showed no frame", byID("stream")+".naturalWidth > 0")
		w := eval[int](t, b, wait, byID("stream")+".naturalWidth")
		h := eval[int](t, b, wait, byID("stream")+".naturalHeight")
		if w != 640 || h != 480 {
			t.Errorf("stream frame is %dx%d, want 640x480", w, h)
		}
		b.waitJS(t, wait, "the page never counted the stream",
			"Number("+byID("status-clients")+".textContent) >= 1")
		b.waitJS(t, wait, "the stream badge never said live", byID("stream-state")+`.dataset.state === "ok"`)

		// Frames keep coming while the page watches.
		s := cam.status(t)
		if n := number(t, s, "clients_streaming"); n < 1 {
			t.Errorf("clients_streaming = %v, want >= 1", n)
		}
		before := number(t, s, "frames_rendered")
		time.Sleep(time.Second)
		if after := number(t, cam.status(t), "frames_rendered"); after < before+3 {
			t.Errorf("frames_rendered went from %v to %v in a second at 10 fps", before, after)
		}
	})

	t.Run("snapshot", func(t *testing.T) {
		b.do(t, wait, chromedp.Click(chromedp.ID("snapshot-button")))
		b.waitJS(t, wait, "no snapshot arrived",
			byID("snapshot")+`.src.startsWith("blob:") && `+byID("snapshot")+".complete && "+byID("snapshot")+".naturalWidth > 0")
		size := eval[[]int](t, b, wait, "["+byID("snapshot")+".naturalWidth, "+byID("snapshot")+".naturalHeight]")
		if size[0] != 640 || size[1] != 480 {
			t.Errorf("snapshot is %dx%d, want 640x480", size[0], size[1])
		}
		// The message quotes the X-Frame-Resolution header, which the page
		// can read only because the policy exposes it.
		b.waitJS(t, wait, "the snapshot message lacks the exposed headers",
			byID("snapshot-message")+`.textContent.includes("640x480") && `+byID("snapshot-message")+`.textContent.includes("frame #")`)
	})

	t.Run("settings need a login", func(t *testing.T) {
		b.do(t, wait, chromedp.Click(chromedp.CSS("#settings-form button[type=submit]")))
		b.waitJS(t, wait, "no error shown for a settings change without login",
			byID("settings-message")+`.dataset.state === "error" && `+byID("settings-message")+`.textContent.includes("not logged in")`)

		b.do(t, wait,
			chromedp.SendKeys(chromedp.ID("password"), "not the password"),
			chromedp.Click(chromedp.CSS("#login-form button[type=submit]")))
		b.waitJS(t, wait, "no error shown for a wrong password",
			byID("login-message")+`.dataset.state === "error" && `+byID("login-message")+`.textContent.includes("wrong password")`)
	})

	t.Run("login", func(t *testing.T) {
		b.do(t, wait,
			chromedp.Evaluate[chromedp.Void](byID("password")+`.value = ""`),
			chromedp.SendKeys(chromedp.ID("password"), password),
			chromedp.Click(chromedp.CSS("#login-form button[type=submit]")))
		// "Logged in" means that /api/session, fetched with credentials
		// after the login, found the session: the browser sends the
		// HttpOnly cookie of the API's origin on cross-origin calls.
		b.waitJS(t, wait, "the login did not succeed",
			byID("login-message")+`.dataset.state === "ok" && `+byID("login-message")+`.textContent.startsWith("Logged in")`)
	})

	t.Run("bad settings", func(t *testing.T) {
		b.do(t, wait,
			chromedp.SetValue(chromedp.ID("quality"), "150"),
			chromedp.Click(chromedp.CSS("#settings-form button[type=submit]")))
		b.waitJS(t, wait, "no error shown for a quality out of range",
			byID("settings-message")+`.dataset.state === "error" && `+
				byID("settings-message")+`.textContent.includes("Quality must be a whole number from 1 to 100") && `+
				byID("quality")+`.getAttribute("aria-invalid") === "true"`)
		if q := number(t, cam.status(t), "quality"); q != 75 {
			t.Errorf("quality = %v after a refused change, want 75", q)
		}
	})

	t.Run("settings change", func(t *testing.T) {
		b.do(t, wait,
			chromedp.SetValue(chromedp.ID("width"), fmt.Sprint(newWidth)),
			chromedp.SetValue(chromedp.ID("height"), fmt.Sprint(newHeight)),
			chromedp.SetValue(chromedp.ID("quality"), "85"),
			chromedp.SetValue(chromedp.ID("brightness"), "10"),
			chromedp.Click(chromedp.CSS("#settings-form button[type=submit]")))
		want := fmt.Sprintf("%dx%d", newWidth, newHeight)
		b.waitJS(t, wait, "the settings change did not succeed",
			byID("settings-message")+`.dataset.state === "ok" && `+
				byID("settings-message")+fmt.Sprintf(`.textContent.includes("Settings applied: %s")`, want))

		s := cam.status(t)
		if s["resolution"] != want || number(t, s, "quality") != 85 || number(t, s, "brightness") != 10 {
			t.Errorf("/api/status after the change: %v", s)
		}
		b.waitJS(t, wait, "the page's status did not follow", byID("status-resolution")+fmt.Sprintf(`.textContent === %q`, want))

		// The next snapshot has the new size.
		b.do(t, wait, chromedp.Click(chromedp.ID("snapshot-button")))
		b.waitJS(t, wait, "the next snapshot does not have the new size",
			fmt.Sprintf(`%s.naturalWidth === %d && %s.naturalHeight === %d && %s.textContent.includes(%q)`,
				byID("snapshot"), newWidth, byID("snapshot"), newHeight, byID("snapshot-message"), want))
		// And so do the frames of the stream.
		b.waitJS(t, wait, "the stream does not have the new size",
			fmt.Sprintf(`%s.naturalWidth === %d && %s.naturalHeight === %d`, byID("stream"), newWidth, byID("stream"), newHeight))
	})

	t.Run("screenshot", func(t *testing.T) {
		// Let the status refresh once more, so that the picture is current.
		time.Sleep(1200 * time.Millisecond)
		ctx, cancel := context.WithTimeout(b.ctx, wait)
		defer cancel()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		dir := "screenshots"
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		tmp := filepath.Join(dir, "camera-dashboard.tmp.png")
		if err := os.WriteFile(tmp, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s (%d bytes)", tmp, len(png))
		if *updateScreenshot {
			doc := filepath.Join(repoRoot(t), "docs", "camera-dashboard.png")
			if err := os.WriteFile(doc, png, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("updated %s", doc)
		}
	})

	t.Run("disallowed origin is blocked", func(t *testing.T) {
		before := cam.getJSON(t, "/api/settings")
		b.do(t, wait, chromedp.Navigate(third+"/"))
		raw := eval[json.RawMessage](t, b, wait, fmt.Sprintf("probe(%q)", cam.apiURL))
		var got map[string]fetchResult
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatalf("probe result %s: %v", raw, err)
		}
		t.Logf("from %s: %s", third, raw)
		for _, call := range []string{"status", "snapshot", "settings"} {
			r := got[call]
			if !r.Blocked || r.Name != "TypeError" {
				t.Errorf("%s from %s: %+v, want a fetch rejected with a TypeError", call, third, r)
			}
		}
		if r := got["opaque"]; r.Blocked || r.Type != "opaque" {
			t.Errorf("no-cors control: %+v, want an opaque response (the camera must be reachable)", r)
		}

		// The browser says why: CORS, for each of the three calls.
		failures := b.corsFailures()
		for _, call := range []string{"GET " + cam.apiURL + "/api/status", "GET " + cam.apiURL + "/api/snapshot", "PUT " + cam.apiURL + "/api/settings"} {
			if reason, ok := failures[call]; !ok {
				t.Errorf("%s: the browser reported no CORS error (CORS failures: %v)", call, failures)
			} else {
				t.Logf("%s: blocked by CORS: %s", call, reason)
			}
		}

		// The PUT never reached the camera: its preflight was refused.
		after := cam.getJSON(t, "/api/settings")
		if fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("settings changed from %v to %v by a disallowed origin", before, after)
		}
	})

	t.Run("no request left the machine", func(t *testing.T) {
		urls := b.urls()
		if len(urls) == 0 {
			t.Fatal("no request recorded")
		}
		seen := map[string]bool{}
		for _, u := range urls {
			if !isLoopbackURL(u) {
				t.Errorf("request to %s, which is not on this machine", u)
			}
			seen[strings.SplitN(u, "?", 2)[0]] = true
		}
		for _, must := range []string{cam.dashURL, cam.dashOrigin + "/config.js", cam.apiURL + "/api/stream", cam.apiURL + "/api/events", third + "/"} {
			if !seen[must] {
				t.Errorf("no request recorded for %s (the recording is incomplete)", must)
			}
		}
		t.Logf("%d requests, all to loopback addresses", len(urls))
	})

	t.Run("graceful shutdown", func(t *testing.T) {
		if err := cam.stop(15 * time.Second); err != nil {
			t.Fatalf("the camera did not exit cleanly on SIGTERM: %v", err)
		}
		if !strings.Contains(cam.logs.String(), "camera: shutting down") {
			t.Errorf("no shutdown in the log:\n%s", cam.logs)
		}
	})
}
