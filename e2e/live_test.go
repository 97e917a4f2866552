package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// livePage is served from an origin that the camera's CORS policy does not
// list. Its probe tries to open the camera's WebSocket and event stream, as
// a malicious page visited by the camera's owner would.
const livePage = `<!doctype html>
<meta charset="utf-8">
<title>Not the dashboard</title>
<script>
window.probeWebSocket = (url) => new Promise((resolve) => {
  const ws = new WebSocket(url);
  let opened = false, messages = 0;
  ws.onopen = () => { opened = true; };
  ws.onmessage = () => { messages++; };
  ws.onclose = (ev) => resolve({opened, messages, code: ev.code});
  setTimeout(() => { ws.close(); resolve({opened, messages, code: -1}); }, 5000);
});
window.probeEvents = (url) => new Promise((resolve) => {
  // A response that CORS keeps from the page is a network error: the
  // source never opens, reports errors and keeps retrying.
  const es = new EventSource(url);
  let opened = false, messages = 0, errors = 0;
  es.onopen = () => { opened = true; };
  es.addEventListener('status', () => { messages++; });
  es.onmessage = () => { messages++; };
  es.onerror = () => { errors++; };
  setTimeout(() => { es.close(); resolve({opened, messages, errors}); }, 3000);
});
</script>`

// probeResult is how one of livePage's probes ended.
type probeResult struct {
	Opened   bool `json:"opened"`
	Messages int  `json:"messages"`
	Code     int  `json:"code"`
	Errors   int  `json:"errors"`
}

// logIn logs the dashboard open in b in, through its login form.
func logIn(t *testing.T, b *browser, wait time.Duration, password string) {
	t.Helper()
	b.do(t, wait,
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.CSS("#login-form button[type=submit]")))
	b.waitJS(t, wait, "the login did not succeed",
		`document.getElementById("login-message").dataset.state === "ok"`)
}

// hostPort returns the address of an http:// URL.
func hostPort(u string) string {
	return strings.TrimSuffix(strings.TrimPrefix(u, "http://"), "/")
}

// TestLiveDashboard drives two dashboards at once, one getting the status
// over Server-Sent Events and one over a WebSocket, both across origins;
// restarts the camera and watches both dashboards notice and come back by
// themselves; then checks that a page on another origin can use neither.
func TestLiveDashboard(t *testing.T) {
	chrome := chromePath(t)
	cam := startCamera(t, password)
	third := serveThirdOrigin(t, livePage)
	// Two browsers rather than two tabs: a background tab is throttled.
	sseTab := newBrowser(t, chrome)
	wsTab := newBrowser(t, chrome)
	t.Logf("camera API %s, dashboard %s, third origin %s", cam.apiURL, cam.dashURL, third)

	top := t
	const wait = 20 * time.Second
	byID := func(id string) string { return fmt.Sprintf("document.getElementById(%q)", id) }
	statusLive := byID("status-message") + `.dataset.state === "ok" && !` + byID("status-list") + `.classList.contains("stale")`
	streamLive := byID("stream-state") + `.dataset.state === "ok" && ` + byID("stream") + `.naturalWidth > 0`

	t.Run("status over SSE and WebSocket across origins", func(t *testing.T) {
		sseTab.do(t, wait, chromedp.Navigate(cam.dashURL))
		wsTab.do(t, wait, chromedp.Navigate(cam.dashURL+"?transport=websocket"))
		for name, tab := range map[string]*browser{"sse": sseTab, "websocket": wsTab} {
			tab.waitJS(t, wait, name+": the pushed status never showed",
				statusLive+` && `+byID("status-resolution")+`.textContent === "640x480"`)
			if got := eval[string](t, tab, wait, "document.body.dataset.transport"); got != name {
				t.Errorf("transport %q, want %q", got, name)
			}
			tab.waitJS(t, wait, name+": the stream never went live", streamLive)
		}
		// Pushed, not polled: the frame count moves without any request
		// for /api/status.
		for _, u := range sseTab.urls() {
			if strings.Contains(u, "/api/status") {
				t.Errorf("the dashboard still polls: %s", u)
			}
		}
		first := eval[string](t, sseTab, wait, byID("status-frames")+".textContent")
		sseTab.waitJS(t, wait, "the frame count did not move", byID("status-frames")+fmt.Sprintf(".textContent !== %q", first))
	})

	t.Run("a settings change reaches every dashboard", func(t *testing.T) {
		logIn(t, wsTab, wait, password)
		wsTab.do(t, wait,
			chromedp.SetValue(chromedp.ID("width"), "320"),
			chromedp.SetValue(chromedp.ID("height"), "240"),
			chromedp.Click(chromedp.CSS("#settings-form button[type=submit]")))
		wsTab.waitJS(t, wait, "the change was not applied", byID("settings-message")+`.dataset.state === "ok"`)
		// The other dashboard, which did nothing, follows through the push
		// (it polls nothing: see above).
		sseTab.waitJS(t, wait, "the other dashboard did not follow",
			byID("status-resolution")+`.textContent === "320x240" && `+
				byID("width")+`.value === "320" && `+byID("height")+`.value === "240"`)
		sseTab.waitJS(t, wait, "the other dashboard's stream did not follow",
			byID("stream")+`.naturalWidth === 320 && `+byID("stream")+`.naturalHeight === 240`)
	})

	t.Run("a refused setting is explained at its field", func(t *testing.T) {
		wsTab.do(t, wait,
			chromedp.SetValue(chromedp.ID("fps"), "99"),
			chromedp.Click(chromedp.CSS("#settings-form button[type=submit]")))
		wsTab.waitJS(t, wait, "no explanation at the field",
			byID("settings-message")+`.dataset.state === "error" && `+
				byID("settings-message")+`.textContent.includes("FPS must be a whole number from 1 to 30") && `+
				byID("fps")+`.getAttribute("aria-invalid") === "true" && `+
				byID("fps")+`.parentElement.querySelector(".field-error") !== null && `+
				`!`+byID("settings-message")+`.textContent.includes("{")`)
		// The field being edited is not overwritten by the next push.
		time.Sleep(1500 * time.Millisecond)
		if v := eval[string](t, wsTab, wait, byID("fps")+".value"); v != "99" {
			t.Errorf("the pushed status overwrote the field being fixed: %q", v)
		}
	})

	t.Run("the dashboards come back after a camera restart", func(t *testing.T) {
		apiAddr, dashAddr := hostPort(cam.apiURL), hostPort(cam.dashURL)
		if err := cam.stop(15 * time.Second); err != nil {
			t.Fatalf("stopping the camera: %v", err)
		}
		for name, tab := range map[string]*browser{"sse": sseTab, "websocket": wsTab} {
			tab.waitJS(t, wait, name+": the dashboard did not notice the camera is gone",
				byID("stream-state")+`.dataset.state === "error" && `+byID("stream-state")+`.textContent === "reconnecting" && `+
					byID("stream")+`.classList.contains("stale") && `+
					byID("status-message")+`.dataset.state === "error" && `+byID("status-list")+`.classList.contains("stale")`)
		}
		startCamera(top, password, "-api", apiAddr, "-dashboard", dashAddr) // serves to the end of the test
		for name, tab := range map[string]*browser{"sse": sseTab, "websocket": wsTab} {
			tab.waitJS(t, 30*time.Second, name+": the status did not come back",
				statusLive+` && `+byID("status-resolution")+`.textContent === "640x480"`)
			tab.waitJS(t, 30*time.Second, name+": the stream did not come back",
				streamLive+` && !`+byID("stream")+`.classList.contains("stale") && `+byID("stream")+`.naturalWidth === 640`)
			// Frames keep arriving: not a frozen last frame.
			src := eval[string](t, tab, wait, byID("stream")+".src")
			tab.waitJS(t, wait, name+": the stream is frozen", byID("stream")+fmt.Sprintf(".src !== %q", src))
		}
	})

	t.Run("a page on another origin can use neither", func(t *testing.T) {
		other := sseTab
		other.do(t, wait, chromedp.Navigate(third+"/"))
		wsURL := "ws://" + hostPort(cam.apiURL) + "/api/live"
		raw := eval[json.RawMessage](t, other, wait, fmt.Sprintf("probeWebSocket(%q)", wsURL))
		var ws probeResult
		if err := json.Unmarshal(raw, &ws); err != nil {
			t.Fatal(err)
		}
		if ws.Opened || ws.Messages > 0 || ws.Code != 1006 {
			t.Errorf("WebSocket from %s: %s, want the handshake refused (never opened, closed with 1006)", third, raw)
		}
		// The control: meanwhile the dashboard's own WebSocket is live, and
		// the camera refuses that origin's handshake with 403.
		wsTab.waitJS(t, wait, "the dashboard's WebSocket is not live", statusLive)
		if code := handshakeStatus(t, cam.apiURL+"/api/live", third); code != http.StatusForbidden {
			t.Errorf("WebSocket handshake from %s: %d, want 403", third, code)
		}
		raw = eval[json.RawMessage](t, other, wait, fmt.Sprintf("probeEvents(%q)", cam.apiURL+"/api/events"))
		var es probeResult
		if err := json.Unmarshal(raw, &es); err != nil {
			t.Fatal(err)
		}
		if es.Opened || es.Messages > 0 || es.Errors == 0 {
			t.Errorf("EventSource from %s: %s, want it never opened, no event read, and errors", third, raw)
		}
		// The control: the camera does answer that origin's request with
		// the stream, without the CORS header that would let the page read
		// it; it is the browser that kept the events from the page.
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, cam.apiURL+"/api/events", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Origin", third)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK || res.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("GET /api/events from %s: %d, Access-Control-Allow-Origin %q; want 200 without it",
				third, res.StatusCode, res.Header.Get("Access-Control-Allow-Origin"))
		}
		t.Logf("from %s: WebSocket %+v, EventSource %+v", third, ws, es)
	})
}

// handshakeStatus sends a WebSocket handshake for url from origin and
// returns the status of the answer.
func handshakeStatus(t *testing.T, url, origin string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"Origin": origin, "Connection": "Upgrade", "Upgrade": "websocket",
		"Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="} {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}
