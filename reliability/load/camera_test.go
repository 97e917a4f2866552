//go:build linux

package load

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/microdot-go/microdot/reliability/internal/child"
)

// The camera example, built and run as a program (it is package main), with
// a debug listener whose /debug/vars tells its memory and goroutines.

// camera is a running camera process.
type camera struct {
	cmd            *exec.Cmd
	exited         chan error
	stopped        bool
	stdout, stderr child.Output

	api       string // http://127.0.0.1:port of the API
	dashboard string // the dashboard's origin, http://127.0.0.1:port
	debug     string // http://127.0.0.1:port of the debug listener, if any

	debugClient *http.Client
}

// startCamera runs bin with args (which must put its listeners on port 0)
// and waits up to 30 s for the URLs it prints. The process is killed when
// the test ends, unless stop ended it; it is also killed if the test binary
// dies (Pdeathsig).
func startCamera(t *testing.T, bin string, args ...string) *camera {
	t.Helper()
	c := &camera{exited: make(chan error, 1)}
	c.cmd = exec.Command(bin, args...)
	c.cmd.Stdout, c.cmd.Stderr = &c.stdout, &c.stderr
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := c.cmd.Start(); err != nil {
		t.Fatalf("starting the camera: %v", err)
	}
	go func() { c.exited <- c.cmd.Wait() }()
	t.Cleanup(func() {
		if !c.stopped {
			c.cmd.Process.Kill()
			<-c.exited
		}
		if t.Failed() {
			t.Logf("camera log:\n%s", c.stderr.String())
		}
	})
	c.debugClient = &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{DisableKeepAlives: true}, // no idle connection counts as a goroutine
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		sc := bufio.NewScanner(strings.NewReader(c.stdout.String()))
		for sc.Scan() {
			line := sc.Text()
			if u, ok := strings.CutPrefix(line, "camera API: "); ok {
				c.api = u
			}
			if u, ok := strings.CutPrefix(line, "dashboard: "); ok {
				c.dashboard = strings.TrimSuffix(u, "/")
			}
			if u, ok := strings.CutPrefix(line, "debug: "); ok {
				c.debug = strings.TrimSuffix(u, "/debug/vars")
			}
		}
		if c.api != "" && c.dashboard != "" && (c.debug != "" || !hasArg(args, "-debug-addr")) {
			return c
		}
		select {
		case err := <-c.exited:
			c.stopped = true
			t.Fatalf("the camera exited early: %v\n%s%s", err, c.stdout.String(), c.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the camera printed no URLs within 30 s:\n%s%s", c.stdout.String(), c.stderr.String())
		}
	}
}

func hasArg(args []string, name string) bool {
	for _, a := range args {
		if a == name || strings.HasPrefix(a, name+"=") {
			return true
		}
	}
	return false
}

// stop sends SIGTERM and waits up to 15 s for the camera to exit; it
// returns how long that took and the exit error (nil for status 0).
func (c *camera) stop(t *testing.T) (time.Duration, error) {
	t.Helper()
	start := time.Now()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return 0, err
	}
	select {
	case err := <-c.exited:
		c.stopped = true
		return time.Since(start), err
	case <-time.After(15 * time.Second):
		return time.Since(start), errors.New("the camera did not exit within 15 s of SIGTERM")
	}
}

// login posts the password as the dashboard does and returns the session
// cookie, "camera_session=<token>".
func (c *camera) login(client *http.Client, password string) (string, error) {
	body, _ := json.Marshal(map[string]string{"password": password})
	req, err := http.NewRequest(http.MethodPost, c.api+"/api/login", strings.NewReader(string(body)))
	if err != nil {
		return "", err
	}
	req.Header.Set("Origin", c.dashboard)
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	io.Copy(io.Discard, res.Body)
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("login: status %d", res.StatusCode)
	}
	for _, ck := range res.Cookies() {
		if ck.Name == "camera_session" && ck.Value != "" {
			return ck.Name + "=" + ck.Value, nil
		}
	}
	return "", errors.New("login: no camera_session cookie")
}

// apiStatus is the part of GET /api/status that the tests read.
type apiStatus struct {
	ClientsStreaming int    `json:"clients_streaming"`
	FramesRendered   uint64 `json:"frames_rendered"`
}

func (c *camera) status(client *http.Client) (apiStatus, error) {
	var s apiStatus
	res, err := client.Get(c.api + "/api/status")
	if err != nil {
		return s, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return s, fmt.Errorf("GET /api/status: %d", res.StatusCode)
	}
	return s, json.NewDecoder(res.Body).Decode(&s)
}

// procStats are the figures of the camera process that the test follows:
// from its /debug/vars (Go's view) and from /proc (the kernel's).
type procStats struct {
	Goroutines   int
	HeapAlloc    uint64 // bytes of live and not yet collected objects
	HeapInuse    uint64
	HeapReleased uint64
	Sys          uint64 // bytes obtained from the OS
	NumGC        uint32
	RSS          uint64 // resident set size, bytes
	HWM          uint64 // peak resident set size, bytes
	FDs          int    // open file descriptors (listeners, connections)
}

// stats reads the camera's figures. With gc, it first has the camera
// collect garbage twice (through /debug/pprof/heap?gc=1; the second
// collection empties the sync.Pool victim caches the first one filled),
// so that HeapAlloc is the live heap.
func (c *camera) stats(gc bool) (procStats, error) {
	var s procStats
	if gc {
		for range 2 {
			res, err := c.debugClient.Get(c.debug + "/debug/pprof/heap?gc=1")
			if err != nil {
				return s, err
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
	}
	res, err := c.debugClient.Get(c.debug + "/debug/vars")
	if err != nil {
		return s, err
	}
	defer res.Body.Close()
	var v struct {
		Goroutines int `json:"goroutines"`
		Memstats   struct {
			HeapAlloc, HeapInuse, HeapReleased, Sys uint64
			NumGC                                   uint32
		} `json:"memstats"`
	}
	if err := json.NewDecoder(res.Body).Decode(&v); err != nil {
		return s, fmt.Errorf("/debug/vars: %w", err)
	}
	s.Goroutines = v.Goroutines
	s.HeapAlloc, s.HeapInuse, s.HeapReleased = v.Memstats.HeapAlloc, v.Memstats.HeapInuse, v.Memstats.HeapReleased
	s.Sys, s.NumGC = v.Memstats.Sys, v.Memstats.NumGC

	pid := c.cmd.Process.Pid
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, err
	}
	for line := range strings.Lines(string(status)) {
		f := strings.Fields(line)
		if len(f) == 3 && f[2] == "kB" {
			n, _ := strconv.ParseUint(f[1], 10, 64)
			switch f[0] {
			case "VmRSS:":
				s.RSS = n << 10
			case "VmHWM:":
				s.HWM = n << 10
			}
		}
	}
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return s, err
	}
	s.FDs = len(fds)
	return s, nil
}

// mib formats a byte count in MiB.
func mib(n uint64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// waitFor polls cond every 50 ms until it holds or timeout passes.
func waitFor(timeout time.Duration, cond func() bool) bool {
	return child.WaitFor(timeout, 50*time.Millisecond, cond)
}
