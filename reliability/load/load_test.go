//go:build linux

package load

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/microdot-go/microdot/reliability/internal/child"
)

var (
	loadDuration    = flag.Duration("load-duration", 0, "how long wrk runs: 5s when neither this flag nor $LOAD_DURATION is set; the figures in docs/reliability.md come from 30s")
	loadConnections = flag.Int("load-connections", 8, "wrk's connections (-c)")
	loadThreads     = flag.Int("load-threads", 2, "wrk's threads (-t)")
	loadStreams     = flag.Int("load-streams", 4, "MJPEG viewers kept open for the whole run")
	loadMix         = flag.String("load-mix", "full", "mix.lua's mix: full (with snapshots) or api (without: the framework and CORS only)")
)

// Bounds of the return to the baseline once the load is over.
const (
	goroutineSlack = 2       // the debug request being served, and one finishing
	fdSlack        = 2       // likewise
	heapSlack      = 4 << 20 // live heap, after two garbage collections
	settleTimeout  = 10 * time.Second
)

// share is the share of a kind of request in one of mix.lua's cycles of
// 10, with the status each must get.
type share struct {
	share  float64
	status int
}

// mixes are mix.lua's mixes.
var mixes = map[string]struct {
	desc   string
	shares map[string]share
}{
	"full": {"3 preflights, 2 settings, 2 status, 1 session, 2 snapshots in 10", map[string]share{
		"preflight": {0.3, 204},
		"settings":  {0.2, 200},
		"status":    {0.2, 200},
		"session":   {0.1, 200},
		"snapshot":  {0.2, 200},
	}},
	"api": {"3 preflights, 3 settings, 3 status, 1 session in 10, no snapshot", map[string]share{
		"preflight": {0.3, 204},
		"settings":  {0.3, 200},
		"status":    {0.3, 200},
		"session":   {0.1, 200},
	}},
}

// duration returns the run's duration: the flag, else $LOAD_DURATION, else
// the quick 5 s.
func duration(t *testing.T) time.Duration {
	if *loadDuration > 0 {
		return *loadDuration
	}
	if v := os.Getenv("LOAD_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second {
			t.Fatalf("LOAD_DURATION=%q: want a duration of 1s or more, such as 30s", v)
		}
		return d
	}
	return 5 * time.Second
}

// TestLoad drives the camera example with wrk at the highest rate it
// sustains, with 4 MJPEG viewers watching, and checks that no request fails
// and that the process comes back to its baseline afterwards.
func TestLoad(t *testing.T) {
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		const msg = "wrk is not installed, so the load test cannot run: install it with `apt-get install -y wrk` (Debian)"
		if os.Getenv("RELIABILITY_REQUIRE_TOOLS") != "" {
			t.Fatal(msg + " (RELIABILITY_REQUIRE_TOOLS is set: not skipping)")
		}
		t.Skip(msg)
	}
	if testing.Short() {
		t.Skip("the load test builds the camera example and runs wrk; it does not run with -short")
	}
	dur := duration(t)
	secs := max(1, int(dur.Round(time.Second)/time.Second))
	conns, threads, streams := *loadConnections, *loadThreads, *loadStreams
	mix, ok := mixes[*loadMix]
	if !ok {
		t.Fatalf("-load-mix %q: want full or api", *loadMix)
	}
	if threads < 1 || conns < threads || streams < 0 {
		t.Fatalf("-load-threads %d, -load-connections %d, -load-streams %d: want 1 thread or more, at least as many connections, and streams >= 0", threads, conns, streams)
	}
	script, err := filepath.Abs("mix.lua")
	if err != nil {
		t.Fatal(err)
	}

	const password = "load-test"
	cam := startCamera(t, child.BuildCamera(t, "../../examples/camera"),
		"-api", "127.0.0.1:0", "-dashboard", "127.0.0.1:0", "-debug-addr", "127.0.0.1:0",
		"-password", password)
	client := &http.Client{Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	cookie, err := cam.login(client, password)
	if err != nil {
		t.Fatal(err)
	}
	client.CloseIdleConnections() // no connection of ours in the baseline

	// Before: the camera idle, one login served. The goroutine serving the
	// login's connection may take a moment to see it closed.
	before, err := cam.stats(true)
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		time.Sleep(50 * time.Millisecond)
		if s, err := cam.stats(false); err == nil && s.Goroutines < before.Goroutines {
			before.Goroutines, before.FDs = s.Goroutines, s.FDs
		}
	}

	// The viewers, for the whole run.
	var viewing sync.WaitGroup
	defer viewing.Wait()
	viewCtx, stopViewing := context.WithCancel(context.Background())
	defer stopViewing()
	viewers := make([]*viewer, streams)
	for i := range viewers {
		viewers[i] = &viewer{}
		viewing.Go(func() { viewers[i].watch(viewCtx, cam.api+"/api/stream") })
	}
	if !waitFor(10*time.Second, func() bool {
		s, err := cam.status(client)
		return err == nil && s.ClientsStreaming == streams
	}) {
		stopViewing()
		viewing.Wait()
		t.Fatalf("the camera does not count %d viewers within 10 s (viewer errors: %v)", streams, viewerErrors(viewers))
	}
	statusBefore, err := cam.status(client)
	if err != nil {
		t.Fatal(err)
	}

	// During: sample the figures 4 times a second.
	var (
		peak      procStats
		samples   int
		sampleErr error
	)
	stopSampling := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stopSampling:
				return
			case <-tick.C:
			}
			s, err := cam.stats(false)
			if err != nil {
				sampleErr = err
				continue
			}
			samples++
			peak.Goroutines = max(peak.Goroutines, s.Goroutines)
			peak.HeapAlloc = max(peak.HeapAlloc, s.HeapAlloc)
			peak.HeapInuse = max(peak.HeapInuse, s.HeapInuse)
			peak.Sys = max(peak.Sys, s.Sys)
			peak.RSS = max(peak.RSS, s.RSS, s.HWM)
			peak.FDs = max(peak.FDs, s.FDs)
			peak.NumGC = s.NumGC
		}
	}()

	wrkCtx, cancelWrk := context.WithTimeout(context.Background(), dur+time.Minute)
	defer cancelWrk()
	cmd := exec.CommandContext(wrkCtx, wrk,
		"-t", strconv.Itoa(threads), "-c", strconv.Itoa(conns), "-d", fmt.Sprintf("%ds", secs),
		"--latency", "--timeout", "10s", "-s", script,
		cam.api, "--", cam.dashboard, cookie, *loadMix)
	var wrkOut, wrkErr strings.Builder
	cmd.Stdout, cmd.Stderr = &wrkOut, &wrkErr
	loadStart := time.Now()
	runErr := cmd.Run()
	loadEnd := time.Now()
	close(stopSampling)
	<-sampled

	statusAfter, statusErr := cam.status(client)
	stopViewing()
	viewing.Wait()
	client.CloseIdleConnections()

	t.Logf("wrk output:\n%s%s", wrkOut.String(), wrkErr.String())
	if runErr != nil {
		t.Fatalf("wrk: %v", runErr)
	}
	res, err := parseWrk(wrkOut.String())
	if err != nil {
		t.Fatal(err)
	}

	// After: the connections are gone; the goroutines, descriptors and heap
	// come back.
	var after procStats
	settled := waitFor(settleTimeout, func() bool {
		s, err := cam.stats(false)
		after = s
		return err == nil && s.Goroutines <= before.Goroutines+goroutineSlack && s.FDs <= before.FDs+fdSlack
	})
	settle := time.Since(loadEnd)
	afterGC, err := cam.stats(true)
	if err != nil {
		t.Fatal(err)
	}
	sessionOK := checkSession(client, cam, cookie)
	client.CloseIdleConnections()
	took, stopErr := cam.stop(t)

	// Errors: none of any kind.
	if res.errors != (wrkErrors{}) {
		t.Errorf("wrk errors: %+v", res.errors)
	}
	for kind, n := range res.bad {
		t.Errorf("%d %s responses failed their check, the first: %s", n, kind, res.why[kind])
	}
	total := 0
	for key, n := range res.counts {
		total += n
		kind, status, _ := strings.Cut(key, " ")
		if want, ok := mix.shares[kind]; !ok || strconv.Itoa(want.status) != status {
			t.Errorf("%d responses %q, which the mix does not expect", n, key)
		}
	}
	if total != res.requests || total == 0 {
		t.Errorf("%d responses counted by the script, %d requests completed by wrk", total, res.requests)
	}
	for kind, want := range mix.shares {
		got := float64(res.counts[fmt.Sprintf("%s %d", kind, want.status)]) / float64(max(total, 1))
		if math.Abs(got-want.share) > 0.02+float64(conns)/float64(max(total, 1)) {
			t.Errorf("%s: %.1f%% of the responses, want %.0f%%", kind, 100*got, 100*want.share)
		}
	}
	if sampleErr != nil {
		t.Errorf("reading /debug/vars during the load: %v", sampleErr)
	}
	if statusErr != nil || statusAfter.ClientsStreaming != streams {
		t.Errorf("after the load, clients_streaming = %d (%v), want %d: a viewer was dropped", statusAfter.ClientsStreaming, statusErr, streams)
	}
	if !sessionOK {
		t.Error("after the load, the session is not recognised any more")
	}

	// The viewers watched throughout.
	var minFPS, maxFPS float64 = math.Inf(1), 0
	var frames, frameBytes int64
	streamFrames := 0 // frames the camera published for the stream during the load
	for i, v := range viewers {
		if v.err != nil {
			t.Errorf("viewer %d: %v", i, v.err)
		}
		n := v.framesBetween(loadStart, loadEnd)
		streamFrames = max(streamFrames, n)
		fps := float64(n) / loadEnd.Sub(loadStart).Seconds()
		minFPS, maxFPS = min(minFPS, fps), max(maxFPS, fps)
		frames += v.frames
		frameBytes += v.bytes
		if last := v.lastFrame(); loadEnd.Sub(last) > 3*time.Second {
			t.Errorf("viewer %d: its last frame came %v before the end of the load", i, loadEnd.Sub(last).Round(time.Millisecond))
		}
	}

	// Back to the baseline.
	if !settled {
		t.Errorf("%v after the load: %d goroutines (baseline %d, bound +%d), %d descriptors (baseline %d, bound +%d)",
			settleTimeout, after.Goroutines, before.Goroutines, goroutineSlack, after.FDs, before.FDs, fdSlack)
	}
	if afterGC.HeapAlloc > before.HeapAlloc+heapSlack {
		t.Errorf("live heap after the load %s, baseline %s: more than %s above", mib(afterGC.HeapAlloc), mib(before.HeapAlloc), mib(heapSlack))
	}
	if stopErr != nil {
		t.Errorf("the camera's exit after SIGTERM: %v", stopErr)
	}

	elapsed := float64(res.durationUS) / 1e6
	ms := func(us int64) string { return fmt.Sprintf("%.2f ms", float64(us)/1000) }
	figure(t, "load.config", "%d s, wrk -t%d -c%d, mix.lua %s (%s), %d MJPEG viewers", secs, threads, conns, *loadMix, mix.desc, streams)
	figure(t, "load.throughput", "%d requests in %.1f s = %.0f req/s, %.1f MB/s", res.requests, elapsed, float64(res.requests)/elapsed, float64(res.bytes)/elapsed/1e6)
	figure(t, "load.latency", "p50 %s, p90 %s, p99 %s, p99.9 %s, max %s (mean %s)",
		ms(res.latency["p50"]), ms(res.latency["p90"]), ms(res.latency["p99"]), ms(res.latency["p99.9"]), ms(res.latency["max"]), ms(res.latency["mean"]))
	figure(t, "load.responses", "%s", res.countsString())
	figure(t, "load.errors", "socket connect %d, read %d, write %d, timeout %d; non-2xx/3xx %d; failed checks %d",
		res.errors.connect, res.errors.read, res.errors.write, res.errors.timeout, res.errors.status, res.badTotal())
	figure(t, "load.streams", "%d viewers, %.1f to %.1f frames/s each during the load, %d frames (%.1f MB) in all, clients_streaming=%d at the end of the load",
		streams, minFPS, maxFPS, frames, float64(frameBytes)/1e6, statusAfter.ClientsStreaming)
	snapshots := res.counts["snapshot 200"]
	rendered := int(statusAfter.FramesRendered - statusBefore.FramesRendered)
	if snapshots > 0 {
		extra := max(0, rendered-streamFrames)
		figure(t, "load.renders", "%d frames rendered during the load: about %d for the stream, %d for %d snapshots (%.3f renders per snapshot)",
			rendered, streamFrames, extra, snapshots, float64(extra)/float64(snapshots))
	} else {
		figure(t, "load.renders", "%d frames rendered during the load, for the stream (no snapshots)", rendered)
	}
	figure(t, "load.goroutines", "before %d, peak %d during, %d after (%v after the load)", before.Goroutines, peak.Goroutines, after.Goroutines, settle.Round(time.Millisecond))
	figure(t, "load.fds", "before %d, peak %d during, %d after", before.FDs, peak.FDs, after.FDs)
	figure(t, "load.heap", "live heap (HeapAlloc after GC) before %s, after %s; HeapAlloc peak %s and HeapInuse peak %s during (%d samples); %d GCs during",
		mib(before.HeapAlloc), mib(afterGC.HeapAlloc), mib(peak.HeapAlloc), mib(peak.HeapInuse), samples, max(peak.NumGC, before.NumGC)-before.NumGC)
	figure(t, "load.rss", "before %s, peak %s, after %s (Go's Sys %s before, %s after; %s released to the OS after)",
		mib(before.RSS), mib(afterGC.HWM), mib(afterGC.RSS), mib(before.Sys), mib(afterGC.Sys), mib(afterGC.HeapReleased))
	figure(t, "load.shutdown", "the camera exited (%v) %v after SIGTERM", stopErr, took.Round(time.Millisecond))
}

// figure logs one measurement in the format that docs/reliability.md is
// written from: "FIGURE <name>: <value>".
func figure(t testing.TB, name, format string, args ...any) {
	t.Helper()
	t.Logf("FIGURE %s: %s", name, fmt.Sprintf(format, args...))
}

// checkSession reports whether the camera still recognises the session.
func checkSession(client *http.Client, cam *camera, cookie string) bool {
	req, _ := http.NewRequest(http.MethodGet, cam.api+"/api/session", nil)
	req.Header.Set("Cookie", cookie)
	res, err := client.Do(req)
	if err != nil {
		return false
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode == http.StatusOK && strings.Contains(string(b), `"authenticated":true`)
}

// ---------------------------------------------------------------------------
// MJPEG viewers

// viewer reads /api/stream, as the dashboard's <img> does, until its
// context ends, and checks that every part is a JPEG.
type viewer struct {
	mu     sync.Mutex
	times  []time.Time // when each frame arrived
	frames int64
	bytes  int64
	err    error // why the stream ended before the context did
}

func (v *viewer) watch(ctx context.Context, url string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		v.err = err
		return
	}
	// A transport of its own: one connection, closed at the end.
	tr := &http.Transport{DisableKeepAlives: true, ResponseHeaderTimeout: 10 * time.Second}
	defer tr.CloseIdleConnections()
	res, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		v.err = err
		return
	}
	defer res.Body.Close()
	mt, params, err := mime.ParseMediaType(res.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/x-mixed-replace" || params["boundary"] == "" {
		v.err = fmt.Errorf("status %d, content type %q", res.StatusCode, res.Header.Get("Content-Type"))
		return
	}
	mr := multipart.NewReader(res.Body, params["boundary"])
	buf := make([]byte, 2)
	for {
		p, err := mr.NextPart()
		if err == nil {
			if _, err = io.ReadFull(p, buf); err == nil && (buf[0] != 0xff || buf[1] != 0xd8) {
				err = fmt.Errorf("frame %d is not a JPEG", v.frames+1)
			}
		}
		var n int64
		if err == nil {
			n, err = io.Copy(io.Discard, p)
		}
		if err != nil {
			if ctx.Err() == nil {
				v.err = err
			}
			return
		}
		v.mu.Lock()
		v.frames++
		v.bytes += n + 2
		v.times = append(v.times, time.Now())
		v.mu.Unlock()
	}
}

func (v *viewer) framesBetween(from, to time.Time) int {
	v.mu.Lock()
	defer v.mu.Unlock()
	n := 0
	for _, at := range v.times {
		if !at.Before(from) && !at.After(to) {
			n++
		}
	}
	return n
}

func (v *viewer) lastFrame() time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.times) == 0 {
		return time.Time{}
	}
	return v.times[len(v.times)-1]
}

func viewerErrors(vs []*viewer) []error {
	var errs []error
	for _, v := range vs {
		v.mu.Lock()
		if v.err != nil {
			errs = append(errs, v.err)
		}
		v.mu.Unlock()
	}
	return errs
}

// ---------------------------------------------------------------------------
// wrk's results, as mix.lua's done() prints them

type wrkErrors struct{ connect, read, write, status, timeout int }

type wrkResult struct {
	counts     map[string]int // "kind status" -> responses
	bad        map[string]int // kind -> responses that failed their check
	why        map[string]string
	requests   int
	durationUS int64
	bytes      int64
	errors     wrkErrors
	latency    map[string]int64 // "p50", "p90", "p99", "p99.9", "mean", "max" -> microseconds
}

func parseWrk(out string) (*wrkResult, error) {
	r := &wrkResult{counts: map[string]int{}, bad: map[string]int{}, why: map[string]string{}, latency: map[string]int64{}}
	seen := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "LOAD ")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) < 2 {
			return nil, fmt.Errorf("wrk output: %q", sc.Text())
		}
		seen[f[0]] = true
		var err error
		switch f[0] {
		case "count":
			if len(f) != 4 {
				return nil, fmt.Errorf("wrk output: %q", sc.Text())
			}
			r.counts[f[1]+" "+f[2]], err = strconv.Atoi(f[3])
		case "bad":
			if len(f) < 3 {
				return nil, fmt.Errorf("wrk output: %q", sc.Text())
			}
			r.bad[f[1]], err = strconv.Atoi(f[2])
			r.why[f[1]] = strings.Join(f[3:], " ")
		case "requests":
			r.requests, err = strconv.Atoi(f[1])
		case "duration_us":
			r.durationUS, err = strconv.ParseInt(f[1], 10, 64)
		case "bytes":
			r.bytes, err = strconv.ParseInt(f[1], 10, 64)
		case "errors":
			_, err = fmt.Sscanf(rest, "errors connect=%d read=%d write=%d status=%d timeout=%d",
				&r.errors.connect, &r.errors.read, &r.errors.write, &r.errors.status, &r.errors.timeout)
		case "latency_us":
			if len(f) != 3 {
				return nil, fmt.Errorf("wrk output: %q", sc.Text())
			}
			r.latency[f[1]], err = strconv.ParseInt(f[2], 10, 64)
		}
		if err != nil {
			return nil, fmt.Errorf("wrk output %q: %w", sc.Text(), err)
		}
	}
	for _, k := range []string{"requests", "duration_us", "errors", "latency_us"} {
		if !seen[k] {
			return nil, fmt.Errorf("wrk printed no %q line: did mix.lua's done() run?", k)
		}
	}
	if r.durationUS <= 0 {
		return nil, fmt.Errorf("wrk ran for %d µs", r.durationUS)
	}
	return r, nil
}

func (r *wrkResult) countsString() string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(r.counts)) {
		parts = append(parts, fmt.Sprintf("%s = %d", k, r.counts[k]))
	}
	return strings.Join(parts, ", ")
}

func (r *wrkResult) badTotal() int {
	n := 0
	for _, v := range r.bad {
		n += v
	}
	return n
}
