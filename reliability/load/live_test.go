//go:build linux

package load

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/microdot-go/microdot/microdot/sse"
	"github.com/microdot-go/microdot/microdot/websocket"
	"github.com/microdot-go/microdot/reliability/internal/child"
)

var liveClients = flag.Int("live-clients", 200,
	"dashboards of each kind (SSE and WebSocket) that TestLiveClients keeps connected to the camera's status push")

// liveClient is one dashboard following the camera's status push.
type liveClient struct {
	updates atomic.Int64
	err     error // why it stopped, other than being told to
}

// followEvents reads /api/events until ctx ends. ready is called after the
// first event.
func (c *liveClient) followEvents(ctx context.Context, client *http.Client, url, origin string, ready func()) {
	defer ready()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		c.err = err
		return
	}
	req.Header.Set("Origin", origin)
	res, err := client.Do(req)
	if err != nil {
		c.err = err
		return
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Access-Control-Allow-Origin") != origin {
		c.err = fmt.Errorf("GET /api/events: %d, Access-Control-Allow-Origin %q", res.StatusCode, res.Header.Get("Access-Control-Allow-Origin"))
		return
	}
	r := sse.NewReader(res.Body)
	for {
		if _, err := r.Next(); err != nil {
			if ctx.Err() == nil {
				c.err = err
			}
			return
		}
		if c.updates.Add(1) == 1 {
			ready()
		}
	}
}

// followWebSocket receives from /api/live until ctx ends.
func (c *liveClient) followWebSocket(ctx context.Context, url, origin string, ready func()) {
	defer ready()
	ws, err := websocket.Dial(ctx, url, http.Header{"Origin": {origin}})
	if err != nil {
		c.err = err
		return
	}
	defer ws.Close()
	for {
		if _, _, err := ws.Receive(); err != nil {
			if ctx.Err() == nil {
				c.err = err
			}
			return
		}
		if c.updates.Add(1) == 1 {
			ready()
		}
	}
}

// TestLiveClients keeps -live-clients dashboards on Server-Sent Events and
// as many on WebSocket connected to the camera's status push, measures the
// camera's memory and goroutines per client, checks that every client keeps
// getting updates, then disconnects them all and checks that the camera's
// goroutines and file descriptors come back to their baseline.
func TestLiveClients(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the camera example and holds hundreds of connections")
	}
	n := *liveClients
	cam := startCamera(t, child.BuildCamera(t, "../../examples/camera"),
		"-api", "127.0.0.1:0", "-dashboard", "127.0.0.1:0", "-debug-addr", "127.0.0.1:0")
	before, err := cam.stats(true)
	if err != nil {
		t.Fatal(err)
	}

	transport := &http.Transport{MaxIdleConnsPerHost: -1}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport}
	ctx, disconnect := context.WithCancel(context.Background())
	defer disconnect()
	var running sync.WaitGroup
	defer running.Wait()
	defer disconnect()

	// connect starts n clients with follow and waits for each one's first
	// update, then returns them and the camera's figures with them.
	connect := func(kind string, follow func(c *liveClient, ready func())) ([]*liveClient, procStats, time.Duration) {
		clients := make([]*liveClient, n)
		var ready sync.WaitGroup
		ready.Add(n)
		start := time.Now()
		for i := range clients {
			clients[i] = &liveClient{}
			running.Go(func() { follow(clients[i], sync.OnceFunc(ready.Done)) })
		}
		ready.Wait()
		took := time.Since(start)
		for i, c := range clients {
			if c.err != nil || c.updates.Load() == 0 {
				t.Fatalf("%s client %d: no update (%v)", kind, i, c.err)
			}
		}
		s, err := cam.stats(true)
		if err != nil {
			t.Fatal(err)
		}
		return clients, s, took
	}
	sseClients, withSSE, sseTook := connect("SSE", func(c *liveClient, ready func()) {
		c.followEvents(ctx, client, cam.api+"/api/events", cam.dashboard, ready)
	})
	wsClients, withWS, wsTook := connect("WebSocket", func(c *liveClient, ready func()) {
		c.followWebSocket(ctx, "ws"+cam.api[len("http"):]+"/api/live", cam.dashboard, ready)
	})

	// Every client keeps getting the status every second.
	all := append(sseClients, wsClients...)
	counts := make([]int64, len(all))
	for i, c := range all {
		counts[i] = c.updates.Load()
	}
	if !waitFor(20*time.Second, func() bool {
		for i, c := range all {
			if c.updates.Load() < counts[i]+2 {
				return false
			}
		}
		return true
	}) {
		t.Error("some clients did not get two more updates within 20 s")
	}

	disconnect()
	running.Wait()
	transport.CloseIdleConnections()
	var after procStats
	back := waitFor(20*time.Second, func() bool {
		after, err = cam.stats(false)
		return err == nil && after.Goroutines <= before.Goroutines && after.FDs <= before.FDs
	})
	if !back {
		t.Errorf("after disconnecting: %d goroutines and %d descriptors, baseline %d and %d",
			after.Goroutines, after.FDs, before.Goroutines, before.FDs)
	}
	for _, c := range all {
		if c.err != nil && !errors.Is(c.err, context.Canceled) {
			t.Errorf("a client failed: %v", c.err)
			break
		}
	}
	gc, err := cam.stats(true)
	if err != nil {
		t.Fatal(err)
	}
	took, err := cam.stop(t)
	if err != nil {
		t.Errorf("the camera's exit: %v", err)
	}

	per := func(from, to procStats) string {
		return fmt.Sprintf("%.1f KiB heap, %.2f goroutines, %.1f KiB RSS per client",
			float64(int64(to.HeapAlloc)-int64(from.HeapAlloc))/float64(n)/1024,
			float64(to.Goroutines-from.Goroutines)/float64(n),
			float64(int64(to.RSS)-int64(from.RSS))/float64(n)/1024)
	}
	figure(t, "live.clients", "%d SSE and %d WebSocket clients held at once, each updated every second", n, n)
	figure(t, "live.sse", "%s (connected in %v)", per(before, withSSE), sseTook.Round(time.Millisecond))
	figure(t, "live.websocket", "%s (connected in %v)", per(withSSE, withWS), wsTook.Round(time.Millisecond))
	figure(t, "live.peak", "heap %s, RSS %s, %d goroutines, %d descriptors with all connected (baseline heap %s, RSS %s, %d goroutines, %d descriptors)",
		mib(withWS.HeapAlloc), mib(withWS.RSS), withWS.Goroutines, withWS.FDs,
		mib(before.HeapAlloc), mib(before.RSS), before.Goroutines, before.FDs)
	figure(t, "live.after", "%d goroutines, %d descriptors, heap %s once all left (back to baseline: %t); SIGTERM exit in %v",
		after.Goroutines, after.FDs, mib(gc.HeapAlloc), back, took.Round(time.Millisecond))
}
