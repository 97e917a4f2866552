package reliability

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/cors"
	"github.com/microdot-go/microdot/reliability/internal/child"
)

// TestPanickingHandler: a handler panics on every 10th request while 8
// goroutines send 2000 requests over real connections. Every panicking
// request gets a 500 (with the CORS headers when its Origin is allowed),
// every other one its 200; each panic is logged with its stack through
// App.Logger; the server keeps serving; the goroutines come back to their
// baseline.
func TestPanickingHandler(t *testing.T) {
	const (
		workers = 8
		total   = 2000
		allowed = "https://dashboard.example.com"
		other   = "https://elsewhere.example.net"
	)
	logs := &logStore{}
	app := microdot.New()
	app.Logger = logs.logger()
	app.Get("/work", func(req *microdot.Request) (*microdot.Response, error) {
		n, err := strconv.Atoi(req.Args().Get("n"))
		if err != nil {
			return nil, microdot.Abort(http.StatusBadRequest)
		}
		if n%10 == 0 {
			panic(fmt.Sprintf("boom %d", n))
		}
		return microdot.Text("ok " + strconv.Itoa(n)), nil
	})
	_, err := cors.New(app, cors.Config{AllowedOrigins: []string{allowed}, AllowCredentials: true})
	require.NoError(t, err)

	baseline := runtime.NumGoroutine()
	ts := serve(t, app, nil)
	client := newClient(t, true)

	// originOf gives request n its Origin: the allowed one, another one,
	// or none, so that panicking requests come with each.
	originOf := func(n int) string {
		switch (n / 10) % 3 {
		case 0:
			return allowed
		case 1:
			return other
		}
		return ""
	}

	var (
		next     atomic.Int64
		statuses histogram
		failures = make(chan string, 16)
		peak     atomic.Int64
		wg       sync.WaitGroup
	)
	fail := func(format string, args ...any) {
		select {
		case failures <- fmt.Sprintf(format, args...):
		default:
		}
	}
	deadline := time.Now().Add(60 * time.Second)
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for n := int(next.Add(1) - 1); n < total && time.Now().Before(deadline); n = int(next.Add(1) - 1) {
				req, _ := http.NewRequest(http.MethodGet, ts.url+"/work?n="+strconv.Itoa(n), nil)
				origin := originOf(n)
				if origin != "" {
					req.Header.Set("Origin", origin)
				}
				res, err := client.Do(req)
				if err != nil {
					fail("request %d: %v", n, err)
					statuses.add("error")
					continue
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				statuses.add(res.StatusCode)
				if n%10 == 0 {
					if res.StatusCode != http.StatusInternalServerError {
						fail("request %d: status %d, want 500", n, res.StatusCode)
					}
				} else if res.StatusCode != http.StatusOK || string(body) != "ok "+strconv.Itoa(n) {
					fail("request %d: %d %q, want 200 %q", n, res.StatusCode, body, "ok "+strconv.Itoa(n))
				}
				acao, acac := res.Header.Get("Access-Control-Allow-Origin"), res.Header.Get("Access-Control-Allow-Credentials")
				switch {
				case origin == allowed && (acao != allowed || acac != "true"):
					fail("request %d (status %d): ACAO %q ACAC %q, want the CORS headers", n, res.StatusCode, acao, acac)
				case origin != allowed && (acao != "" || acac != ""):
					fail("request %d from %q: ACAO %q ACAC %q, want none", n, origin, acao, acac)
				case res.Header.Get("Vary") != "Origin":
					fail("request %d: Vary %q, want Origin", n, res.Header.Get("Vary"))
				}
				if n%100 == 0 {
					if g := int64(runtime.NumGoroutine()); g > peak.Load() {
						peak.Store(g)
					}
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(failures)
	for f := range failures {
		t.Error(f)
	}
	require.Equal(t, total, statuses.total(), "every request was sent and answered before the deadline")
	assert.Equal(t, total/10, statuses.get(500), "500s")
	assert.Equal(t, total-total/10, statuses.get(200), "200s")

	// Every panic is in the log, once, with its value and its stack.
	var logged []int
	for _, r := range logs.records() {
		if r.Msg != "microdot: panic serving request" {
			continue
		}
		var n int
		if _, err := fmt.Sscanf(r.Attrs["panic"], "boom %d", &n); err != nil {
			t.Errorf("panic record without the panic value: %+v", r.Attrs)
			continue
		}
		logged = append(logged, n)
		if st := r.Attrs["stack"]; !strings.Contains(st, "goroutine ") || !strings.Contains(st, "TestPanickingHandler") {
			t.Errorf("panic %d logged without the handler's stack:\n%s", n, st)
		}
	}
	slices.Sort(logged)
	var want []int
	for n := 0; n < total; n += 10 {
		want = append(want, n)
	}
	assert.Equal(t, want, logged, "the panics logged")

	// The server still serves, then the goroutines come back to the baseline
	// once it is shut down and the client's connections are closed.
	res, err := client.Get(ts.url + "/work?n=1")
	require.NoError(t, err)
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode, "a request after the storm")
	closeIdle(client)
	ts.Close(t)
	back := waitFor(5*time.Second, func() bool { return runtime.NumGoroutine() <= baseline })
	after := runtime.NumGoroutine()
	assert.True(t, back, "goroutines: %d after shutdown, baseline %d", after, baseline)

	figure(t, "panic.requests", "%d requests from %d goroutines in %v", total, workers, elapsed.Round(time.Millisecond))
	figure(t, "panic.status", "%s", &statuses)
	figure(t, "panic.logged", "%d panics logged with stack, %d expected", len(logged), total/10)
	figure(t, "panic.goroutines", "baseline %d, peak %d, after shutdown %d", baseline, peak.Load(), after)
}

// mjpegPart is one part of the test streams: a tiny fake JPEG.
func mjpegPart(i int) []byte {
	payload := fmt.Sprintf("\xff\xd8frame-%06d\xff\xd9", i)
	return fmt.Appendf(nil, "--frame\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n%s\r\n", len(payload), payload)
}

// streamApp returns an App serving /stream, an MJPEG-like Stream that
// sends a part every 20 ms for at most 60 s, and counters of the producers
// started and returned.
func streamApp(logs *logStore) (app *microdot.App, started, returned *atomic.Int64) {
	started, returned = new(atomic.Int64), new(atomic.Int64)
	app = microdot.New()
	app.Logger = logs.logger()
	app.Get("/", func(*microdot.Request) (*microdot.Response, error) { return microdot.Text("ok"), nil })
	app.Get("/stream", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Stream("multipart/x-mixed-replace; boundary=frame", func(ctx context.Context, w io.Writer) error {
			started.Add(1)
			defer returned.Add(1)
			tick := time.NewTicker(20 * time.Millisecond)
			defer tick.Stop()
			for i := 0; i < 3000; i++ { // 60 s at most
				if _, err := w.Write(mjpegPart(i)); err != nil {
					return err
				}
				select {
				case <-ctx.Done():
					return nil
				case <-tick.C:
				}
			}
			return nil
		}), nil
	})
	return app, started, returned
}

// tailReader remembers the last bytes read through it.
type tailReader struct {
	r    io.Reader
	tail []byte
}

func (t *tailReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.tail = append(t.tail, p[:n]...)
	if len(t.tail) > 64 {
		t.tail = append(t.tail[:0], t.tail[len(t.tail)-64:]...)
	}
	return n, err
}

// cleanEnd reads a stream from mjpegPart to its end and says why the end
// is not clean, if it is not: a clean end is the final chunk of the
// response (no read error) right after the last byte of a whole part.
func cleanEnd(body *tailReader) error {
	if _, err := io.Copy(io.Discard, body); err != nil {
		return err
	}
	if !bytes.HasSuffix(body.tail, []byte("\xff\xd9\r\n")) {
		return fmt.Errorf("the stream ended in the middle of a part: ...%q", body.tail)
	}
	return nil
}

// partReader reads the parts of a multipart/x-mixed-replace response.
type partReader struct{ mr *multipart.Reader }

func newPartReader(res *http.Response) (*partReader, error) {
	mt, params, err := mime.ParseMediaType(res.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/x-mixed-replace" || params["boundary"] == "" {
		return nil, fmt.Errorf("content type %q", res.Header.Get("Content-Type"))
	}
	return &partReader{multipart.NewReader(res.Body, params["boundary"])}, nil
}

// next reads n parts and checks that each holds a JPEG.
func (r *partReader) next(n int) error {
	for i := range n {
		p, err := r.mr.NextPart()
		if err != nil {
			return fmt.Errorf("part %d: %w", i, err)
		}
		b, err := io.ReadAll(p)
		if err != nil {
			return fmt.Errorf("part %d: %w", i, err)
		}
		if len(b) < 4 || b[0] != 0xff || b[1] != 0xd8 {
			return fmt.Errorf("part %d is not a JPEG: %q", i, b)
		}
	}
	return nil
}

// readParts reads the first n parts of a multipart/x-mixed-replace response.
func readParts(res *http.Response, n int) error {
	pr, err := newPartReader(res)
	if err != nil {
		return err
	}
	return pr.next(n)
}

// TestStreamClientsDisconnect: 50 clients open an MJPEG-like stream, read 1
// to 3 parts and hang up. Every producer returns, and once the server is
// shut down no goroutine is left behind.
func TestStreamClientsDisconnect(t *testing.T) {
	const clients = 50
	ignore := goleak.IgnoreCurrent()
	logs := &logStore{}
	app, started, returned := streamApp(logs)
	ts := serve(t, app, nil)
	client := newClient(t, false)

	var (
		wg       sync.WaitGroup
		parts    atomic.Int64
		errs     = make(chan error, clients)
		lastDone atomic.Int64 // unix nanoseconds of the last hang-up
	)
	for i := range clients {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ts.url+"/stream", nil)
			res, err := client.Do(req)
			if err != nil {
				errs <- err
				return
			}
			n := 1 + i%3
			if err := readParts(res, n); err != nil {
				errs <- fmt.Errorf("client %d: %w", i, err)
			} else {
				parts.Add(int64(n))
			}
			res.Body.Close() // hang up mid-stream
			if now := time.Now().UnixNano(); now > lastDone.Load() {
				lastDone.Store(now)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	ok := waitFor(5*time.Second, func() bool { return returned.Load() == clients })
	settle := time.Since(time.Unix(0, lastDone.Load()))
	assert.True(t, ok, "producers returned: %d of %d", returned.Load(), clients)
	assert.Equal(t, int64(clients), started.Load(), "producers started")
	checkNoPanics(t, logs)
	checkServing(t, ts.addr)

	closeIdle(client)
	ts.Close(t)
	goleak.VerifyNone(t, ignore)

	figure(t, "stream.disconnect.clients", "%d clients, %d parts read, %d producers started, %d returned", clients, parts.Load(), started.Load(), returned.Load())
	figure(t, "stream.disconnect.settle", "all producers returned within %v of the last hang-up", settle.Round(time.Millisecond))
	figure(t, "stream.disconnect.warnings", "%d \"stream ended with an error\" records (a write that failed before the context saw the hang-up)", logs.count("stream ended with an error"))
}

// TestCameraStreamClientsDisconnect: the camera example's own MJPEG
// stream, with the example built and run as a program (it is package
// main). 20 viewers watch, read 1 to 3 frames and hang up; the camera's
// /api/status counts them while they watch and comes back to 0 viewers.
func TestCameraStreamClientsDisconnect(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the camera example")
	}
	const viewers = 20
	bin := child.BuildCamera(t, "../examples/camera")

	var stdout, stderr child.Output
	cmd := exec.Command(bin, "-api", "127.0.0.1:0", "-dashboard", "127.0.0.1:0", "-password", "reliability")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopped := false
	defer func() {
		if !stopped {
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("camera log:\n%s", stderr.String())
		}
	}()

	var api string
	if !waitFor(30*time.Second, func() bool {
		sc := bufio.NewScanner(strings.NewReader(stdout.String()))
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "camera API: "); ok {
				api = u
			}
		}
		return api != ""
	}) {
		t.Fatalf("the camera printed no API URL within 30 s:\n%s%s", stdout.String(), stderr.String())
	}
	client := newClient(t, false)
	statusClient := newClient(t, true)
	streaming := func() int {
		res, err := statusClient.Get(api + "/api/status")
		if err != nil {
			t.Errorf("GET /api/status: %v", err)
			return -1
		}
		defer res.Body.Close()
		var v struct {
			ClientsStreaming int `json:"clients_streaming"`
		}
		if err := json.NewDecoder(res.Body).Decode(&v); err != nil {
			t.Errorf("GET /api/status: %v", err)
			return -1
		}
		return v.ClientsStreaming
	}

	var (
		wg       sync.WaitGroup
		watching sync.WaitGroup // every viewer has its first frame
		hangUp   = make(chan struct{})
		frames   atomic.Int64
		errs     = make(chan error, viewers)
	)
	watching.Add(viewers)
	for i := range viewers {
		wg.Go(func() {
			once := sync.OnceFunc(watching.Done)
			defer once()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, api+"/api/stream", nil)
			res, err := client.Do(req)
			if err != nil {
				errs <- err
				return
			}
			defer res.Body.Close() // hang up mid-stream
			pr, err := newPartReader(res)
			if err == nil {
				err = pr.next(1)
			}
			if err != nil {
				errs <- fmt.Errorf("viewer %d: %w", i, err)
				return
			}
			once()
			select {
			case <-hangUp:
			case <-ctx.Done():
			}
			n := i % 3 // 1 to 3 frames in all
			if err := pr.next(n); err != nil {
				errs <- fmt.Errorf("viewer %d, later frames: %w", i, err)
				return
			}
			frames.Add(int64(1 + n))
		})
	}
	watching.Wait()
	during := streaming()
	close(hangUp)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	start := time.Now()
	back := waitFor(10*time.Second, func() bool { return streaming() == 0 })
	settle := time.Since(start)
	assert.Equal(t, viewers, during, "clients_streaming while every viewer watches")
	assert.True(t, back, "clients_streaming did not come back to 0 within 10 s")

	// The camera shuts down cleanly on SIGTERM.
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-exited:
		stopped = true
		assert.NoError(t, err, "the camera's exit")
	case <-time.After(15 * time.Second):
		t.Error("the camera did not exit within 15 s of SIGTERM")
	}
	closeIdle(client)
	closeIdle(statusClient)

	figure(t, "camera.stream.viewers", "%d viewers, clients_streaming=%d while watching, %d frames read", viewers, during, frames.Load())
	figure(t, "camera.stream.settle", "clients_streaming back to 0 within %v of the last hang-up", settle.Round(time.Millisecond))
}

// TestGracefulShutdownUnderLoad: Shutdown is called while 16 slow requests
// (200 ms and more) and 3 streams are in flight. New connections are
// refused from then on, every slow request completes with its 200, the
// streams end, Serve returns nil only after the last slow request finished,
// and it all takes less than 5 s.
func TestGracefulShutdownUnderLoad(t *testing.T) {
	const (
		slow    = 16
		streams = 3
	)
	logs := &logStore{}
	app, streamStarted, streamReturned := streamApp(logs)
	var entered, finished atomic.Int64
	gate := make(chan struct{}) // closed once the refusal has been checked
	app.Get("/slow", func(*microdot.Request) (*microdot.Response, error) {
		entered.Add(1)
		time.Sleep(200 * time.Millisecond)
		select {
		case <-gate:
		case <-time.After(5 * time.Second):
		}
		finished.Add(1)
		return microdot.Text("done"), nil
	})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	type serveResult struct {
		err      error
		finished int64 // slow requests finished when Serve returned
		at       time.Time
	}
	served := make(chan serveResult, 1)
	go func() {
		err := app.Serve(ln)
		served <- serveResult{err, finished.Load(), time.Now()}
	}()
	serveDone := false
	defer func() {
		if !serveDone {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			app.Shutdown(ctx)
			select {
			case <-served:
			case <-time.After(10 * time.Second):
				t.Error("Serve did not return after the cleanup's Shutdown")
			}
		}
	}()
	// Serve registers its server before it accepts: a first answer means
	// Shutdown will see it.
	client := newClient(t, false)
	require.True(t, waitFor(5*time.Second, func() bool {
		res, err := client.Get("http://" + addr + "/")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	}), "the server did not start")

	// Open the streams and read a part of each, then read each to its end.
	streamEnds := make(chan error, streams)
	for range streams {
		res, err := client.Get("http://" + addr + "/stream")
		require.NoError(t, err)
		body := &tailReader{r: res.Body}
		res.Body = struct {
			io.Reader
			io.Closer
		}{body, res.Body}
		require.NoError(t, readParts(res, 1))
		go func() {
			defer res.Body.Close()
			streamEnds <- cleanEnd(body)
		}()
	}

	// Start the slow requests and wait until every one is in its handler.
	type slowResult struct {
		status int
		body   string
		err    error
	}
	results := make(chan slowResult, slow)
	for range slow {
		go func() {
			res, err := client.Get("http://" + addr + "/slow")
			if err != nil {
				results <- slowResult{err: err}
				return
			}
			b, err := io.ReadAll(res.Body)
			res.Body.Close()
			results <- slowResult{res.StatusCode, string(b), err}
		}()
	}
	require.True(t, waitFor(5*time.Second, func() bool { return entered.Load() == slow }), "slow requests in flight: %d", entered.Load())

	start := time.Now()
	shutdownErr := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		shutdownErr <- app.Shutdown(ctx)
	}()

	// New connections are refused as soon as the listener is closed, while
	// the slow requests are still held.
	refused := waitFor(2*time.Second, func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return true
		}
		c.Close()
		return false
	})
	refusedAfter := time.Since(start)
	require.True(t, refused, "a new connection was still accepted 2 s after Shutdown began")
	refusals := 0
	for range 20 {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			continue
		}
		if errors.Is(err, syscall.ECONNREFUSED) {
			refusals++
		}
	}
	assert.Equal(t, 20, refusals, "connections refused after Shutdown began")
	select {
	case r := <-served:
		served <- r
		t.Errorf("Serve returned (%v) while %d slow requests were in flight", r.err, slow-int(finished.Load()))
	default:
	}
	assert.Equal(t, int64(0), finished.Load(), "slow requests finished before the gate opened")

	// The streams end by themselves, each with its final chunk after a whole
	// part, as its client sees it.
	clean := 0
	for range streams {
		select {
		case err := <-streamEnds:
			if assert.NoError(t, err, "a stream did not end cleanly") {
				clean++
			}
		case <-time.After(5 * time.Second):
			t.Fatal("a stream did not end within 5 s of Shutdown")
		}
	}

	close(gate)
	statuses := &histogram{}
	for range slow {
		select {
		case r := <-results:
			if r.err != nil {
				statuses.add("error")
				t.Errorf("slow request: %v", r.err)
				continue
			}
			statuses.add(r.status)
			assert.Equal(t, "done", r.body)
		case <-time.After(10 * time.Second):
			t.Fatal("a slow request got no answer")
		}
	}
	var sr serveResult
	select {
	case sr = <-served:
		serveDone = true
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return within 5 s")
	}
	var serr error
	select {
	case serr = <-shutdownErr:
	case <-time.After(5 * time.Second):
		t.Fatal("Shutdown did not return within 5 s")
	}
	total := sr.at.Sub(start)
	assert.NoError(t, sr.err, "Serve")
	assert.NoError(t, serr, "Shutdown")
	assert.Equal(t, int64(slow), sr.finished, "slow requests finished when Serve returned")
	assert.Equal(t, slow, statuses.get(200), "slow requests answered 200: %s", statuses)
	assert.Equal(t, int64(streams), streamStarted.Load(), "streams started")
	assert.Equal(t, int64(streams), streamReturned.Load(), "stream producers returned")
	assert.Less(t, total, 5*time.Second, "the whole shutdown")
	checkNoPanics(t, logs)
	closeIdle(client)

	figure(t, "shutdown.inflight", "%d slow requests in flight, %s; %d finished when Serve returned", slow, statuses, sr.finished)
	figure(t, "shutdown.refused", "new connections refused %v after Shutdown began; %d/20 later dials refused", refusedAfter.Round(time.Millisecond), refusals)
	figure(t, "shutdown.streams", "%d/%d streams ended cleanly as their clients saw them (final chunk after a whole part); %d/%d producers returned",
		clean, streams, streamReturned.Load(), streams)
	figure(t, "shutdown.duration", "Serve returned nil %v after Shutdown began (bound 5 s)", total.Round(time.Millisecond))
}

// TestCORSUpdateStorm: while 8 goroutines send 5000 preflights and
// credentialed requests, another one calls Update 1000 times, alternating
// two policies. Every response is consistent with one of them as a whole.
func TestCORSUpdateStorm(t *testing.T) {
	const (
		workers = 8
		total   = 5000
		updates = 1000
		a       = "https://a.example.com"
		b       = "https://b.example.com"
		c       = "https://c.example.net"
	)
	// The two policies differ in every header that can tell them apart:
	// the origins, the exposed headers and the preflight's max age.
	one := cors.Config{
		AllowedOrigins: []string{a}, AllowCredentials: true,
		AllowedMethods: []string{http.MethodPut}, AllowedHeaders: []string{"X-Common"},
		ExposeHeaders: []string{"X-From-One"}, MaxAge: 111,
	}
	two := cors.Config{
		AllowedOrigins: []string{a, b}, AllowCredentials: true,
		AllowedMethods: []string{http.MethodPut}, AllowedHeaders: []string{"X-Common"},
		ExposeHeaders: []string{"X-From-Two"}, MaxAge: 222,
	}
	logs := &logStore{}
	app := microdot.New()
	app.Logger = logs.logger()
	app.Route("/api/thing", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Text("thing"), nil
	}, http.MethodGet, http.MethodPut)
	ext, err := cors.New(app, one)
	require.NoError(t, err)
	ts := serve(t, app, nil)
	client := newClient(t, true)

	type kind struct {
		name      string
		method    string
		origin    string
		preflight bool
	}
	kinds := []kind{
		{"preflight-a", http.MethodOptions, a, true},
		{"preflight-b", http.MethodOptions, b, true},
		{"get-a", http.MethodGet, a, false},
		{"get-b", http.MethodGet, b, false},
		{"put-a", http.MethodPut, a, false},
		{"get-c", http.MethodGet, c, false},
		{"put-b", http.MethodPut, b, false},
	}
	const preflightVary = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
	// classify says which policy a response was made with: "one", "two" or
	// "none" (refused or not allowed, the same under both), or why it is
	// inconsistent.
	classify := func(k kind, res *http.Response, body string) (string, error) {
		h := res.Header
		acao, acac := h.Get("Access-Control-Allow-Origin"), h.Get("Access-Control-Allow-Credentials")
		aceh, acma := h.Get("Access-Control-Expose-Headers"), h.Get("Access-Control-Max-Age")
		acam, acah := h.Get("Access-Control-Allow-Methods"), h.Get("Access-Control-Allow-Headers")
		vary := strings.Join(h.Values("Vary"), ", ")
		bad := func() (string, error) {
			return "", fmt.Errorf("%s: status %d ACAO=%q ACAC=%q ACEH=%q ACMA=%q ACAM=%q ACAH=%q Vary=%q",
				k.name, res.StatusCode, acao, acac, aceh, acma, acam, acah, vary)
		}
		if k.preflight {
			switch {
			case res.StatusCode == http.StatusNoContent && acao == k.origin && acac == "true" &&
				acam == "PUT" && acah == "X-Common" && aceh == "" && vary == preflightVary:
				switch {
				case acma == "111" && k.origin == a:
					return "one", nil
				case acma == "222":
					return "two", nil
				}
			case res.StatusCode == http.StatusForbidden && k.origin == b && acao+acac+acam+acah+acma+aceh == "" && vary == preflightVary:
				return "one", nil // only policy one refuses b
			}
			return bad()
		}
		if res.StatusCode != http.StatusOK || body != "thing" || vary != "Origin" || acam+acah+acma != "" {
			return bad()
		}
		switch {
		case acao == "" && acac == "" && aceh == "":
			if k.origin == a {
				return bad() // a is allowed by both
			}
			if k.origin == b {
				return "one", nil
			}
			return "none", nil
		case acao == k.origin && acac == "true" && aceh == "X-From-One" && k.origin == a:
			return "one", nil
		case acao == k.origin && acac == "true" && aceh == "X-From-Two" && k.origin != c:
			return "two", nil
		}
		return bad()
	}

	var (
		done     atomic.Int64
		seen     histogram // kind/policy
		failures = make(chan error, 16)
		wg       sync.WaitGroup
		next     atomic.Int64
		applied  atomic.Int64
	)
	deadline := time.Now().Add(60 * time.Second)
	start := time.Now()
	wg.Go(func() {
		// Spread the updates over the whole storm: update i waits until
		// i*total/updates requests have been answered.
		for i := range updates {
			for done.Load() < int64(i*total/updates) && time.Now().Before(deadline) {
				time.Sleep(100 * time.Microsecond)
			}
			cfg := one
			if i%2 == 0 {
				cfg = two
			}
			if err := ext.Update(func(c *cors.Config) { *c = cfg }); err != nil {
				failures <- fmt.Errorf("update %d: %w", i, err)
				return
			}
			applied.Add(1)
		}
	})
	for range workers {
		wg.Go(func() {
			for n := int(next.Add(1) - 1); n < total && time.Now().Before(deadline); n = int(next.Add(1) - 1) {
				k := kinds[n%len(kinds)]
				req, _ := http.NewRequest(k.method, ts.url+"/api/thing", nil)
				req.Header.Set("Origin", k.origin)
				if k.preflight {
					req.Header.Set("Access-Control-Request-Method", "PUT")
					req.Header.Set("Access-Control-Request-Headers", "x-common")
				} else {
					req.Header.Set("Cookie", "session=s3cr3t")
				}
				res, err := client.Do(req)
				if err != nil {
					select {
					case failures <- fmt.Errorf("%s: %w", k.name, err):
					default:
					}
					seen.add(k.name + "/error")
					done.Add(1)
					continue
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				policy, err := classify(k, res, string(body))
				if err != nil {
					select {
					case failures <- err:
					default:
					}
					policy = "MIXED"
				}
				seen.add(k.name + "/" + policy)
				done.Add(1)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(failures)
	for err := range failures {
		t.Error(err)
	}
	require.Equal(t, total, seen.total(), "requests answered before the deadline")
	assert.Equal(t, int64(updates), applied.Load(), "updates applied")
	// Both policies were seen by b, the origin they disagree on.
	bOne := seen.get("preflight-b/one") + seen.get("get-b/one") + seen.get("put-b/one")
	bTwo := seen.get("preflight-b/two") + seen.get("get-b/two") + seen.get("put-b/two")
	assert.Positive(t, bOne, "responses to b under policy one")
	assert.Positive(t, bTwo, "responses to b under policy two")
	// The last update put policy one in force.
	assert.Equal(t, []string{a}, ext.Config().AllowedOrigins, "the configuration in force")
	checkNoPanics(t, logs)
	closeIdle(client)

	figure(t, "cors.storm.requests", "%d requests from %d goroutines and %d updates in %v", total, workers, applied.Load(), elapsed.Round(time.Millisecond))
	figure(t, "cors.storm.policies", "%s", &seen)
	figure(t, "cors.storm.mixed", "%d", seen.get("MIXED"))
}

// TestStreamProducerPanics: a Stream producer that panics after sending
// two parts. The client sees the stream cut short (never a complete-looking
// response), the panic is logged with its stack, and the server keeps
// serving.
func TestStreamProducerPanics(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	logs := &logStore{}
	app := microdot.New()
	app.Logger = logs.logger()
	app.Get("/", func(*microdot.Request) (*microdot.Response, error) { return microdot.Text("ok"), nil })
	app.Get("/stream", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Stream("multipart/x-mixed-replace; boundary=frame", func(ctx context.Context, w io.Writer) error {
			for i := range 2 {
				if _, err := w.Write(mjpegPart(i)); err != nil {
					return err
				}
			}
			panic("sensor fault")
		}), nil
	})
	ts := serve(t, app, nil)
	client := newClient(t, true)
	const rounds = 20
	truncated := 0
	for range rounds {
		res, err := client.Get(ts.url + "/stream")
		require.NoError(t, err)
		pr, err := newPartReader(res)
		require.NoError(t, err)
		// The first part is complete (the second one's boundary follows it);
		// the second is cut: no boundary and no end of the chunked body.
		require.NoError(t, pr.next(1), "the first part, sent before the panic")
		_, err = io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			truncated++ // the connection was aborted: no clean end
		}
	}
	assert.Equal(t, rounds, truncated, "streams cut short by the panic")
	panics := 0
	for _, r := range logs.records() {
		if r.Msg == "microdot: panic serving request" && r.Attrs["panic"] == "sensor fault" && strings.Contains(r.Attrs["stack"], "TestStreamProducerPanics") {
			panics++
		}
	}
	assert.Equal(t, rounds, panics, "panics logged with their stack")
	checkServing(t, ts.addr)
	closeIdle(client)
	ts.Close(t)
	goleak.VerifyNone(t, ignore)
	figure(t, "stream.panic", "%d/%d streams cut short after 2 parts, %d panics logged with stack, server still serving", truncated, rounds, panics)
}

// TestShutdownEndsStalledStream pins the fix of a weakness: a stream whose client
// stops reading (but keeps its connection open) blocks its producer in
// Write once the socket buffers are full. Shutdown cancels the stream's
// context, but nothing unblocks the Write, so Shutdown waits until its own
// deadline and returns its error; the producer stays blocked until the
// client goes away.
func TestShutdownEndsStalledStream(t *testing.T) {
	logs := &logStore{}
	app := microdot.New()
	app.Logger = logs.logger()
	var written, returned atomic.Int64
	part := []byte(strings.Repeat("x", 64<<10))
	app.Get("/stream", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Stream("application/octet-stream", func(ctx context.Context, w io.Writer) error {
			defer returned.Add(1)
			for i := 0; i < 100000 && ctx.Err() == nil; i++ { // 6 GiB at most
				if _, err := w.Write(part); err != nil {
					return err
				}
				written.Add(1)
			}
			return nil
		}), nil
	})
	ts := serve(t, app, nil)
	conn, err := net.Dial("tcp", ts.addr)
	require.NoError(t, err)
	defer conn.Close() // lets the producer return at the end, whatever happens
	_, err = io.WriteString(conn, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
	require.NoError(t, err)
	// Read nothing: wait until the producer is stuck in Write.
	last := int64(-1)
	stuck := waitFor(10*time.Second, func() bool {
		time.Sleep(200 * time.Millisecond)
		n := written.Load()
		defer func() { last = n }()
		return n > 0 && n == last
	})
	require.True(t, stuck, "the producer never blocked")

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	start := time.Now()
	err = app.Shutdown(ctx)
	took := time.Since(start)
	figure(t, "stream.stalled", "%d KiB buffered before the producer blocked; Shutdown returned %v after %v; producer returned: %d",
		written.Load()*64, err, took.Round(time.Millisecond), returned.Load())
	assert.NoError(t, err, "Shutdown with a stalled stream")
	assert.True(t, waitFor(time.Second, func() bool { return returned.Load() == 1 }), "the stalled producer did not return after Shutdown")
	conn.Close()
	ts.Close(t)
}

// TestShutdownRightAfterServe pins the fix of a weakness: Shutdown called before a
// Serve started in another goroutine has registered its server finds
// nothing to stop, and the Serve that follows serves on, as a new start
// after a shutdown. The usual pattern below then never returns.
func TestShutdownRightAfterServe(t *testing.T) {
	const runs = 5
	kept := 0
	for range runs {
		app := microdot.New()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		served := make(chan error, 1)
		go func() { served <- app.Serve(ln) }()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err = app.Shutdown(ctx)
		cancel()
		require.NoError(t, err)
		select {
		case err := <-served:
			assert.NoError(t, err)
		case <-time.After(500 * time.Millisecond):
			kept++
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			app.Shutdown(ctx) // now Serve has registered: this one stops it
			cancel()
			select {
			case <-served:
			case <-time.After(5 * time.Second):
				t.Fatal("Serve did not return after a second Shutdown")
			}
		}
	}
	figure(t, "shutdown.lost", "Serve kept serving after a Shutdown issued right after it started in %d/%d runs", kept, runs)
	assert.Zero(t, kept, "Serve calls that outlived the Shutdown issued right after them")
}

// TestShutdownWithSilentConnection measures what a connection that was
// opened but never sent a request (a browser's preconnect, a pooled
// connection a client dialed and did not use) costs a graceful shutdown:
// net/http's Shutdown counts it as busy until it is 5 s old
// (golang/go#22682), so Shutdown's deadline must exceed that.
func TestShutdownWithSilentConnection(t *testing.T) {
	if testing.Short() {
		t.Skip("waits about 5 s")
	}
	logs := &logStore{}
	app := microdot.New()
	app.Logger = logs.logger()
	app.Get("/", func(*microdot.Request) (*microdot.Response, error) { return microdot.Text("ok"), nil })
	ts := serve(t, app, nil)
	checkServing(t, ts.addr)
	conn, err := net.DialTimeout("tcp", ts.addr, 5*time.Second)
	require.NoError(t, err)
	defer conn.Close()
	time.Sleep(50 * time.Millisecond) // accepted by now

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	err = app.Shutdown(ctx)
	took := time.Since(start)
	assert.NoError(t, err, "Shutdown with a 10 s deadline")
	// The server closed the silent connection.
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, rerr := conn.Read(make([]byte, 1))
	assert.Error(t, rerr, "the silent connection is closed")
	var ne net.Error
	assert.False(t, errors.As(rerr, &ne) && ne.Timeout(), "the silent connection is still open after Shutdown")
	ts.Close(t)
	figure(t, "shutdown.silent", "Shutdown with one silent connection open returned %v after %v (deadline 10 s)", err, took.Round(time.Millisecond))
}
