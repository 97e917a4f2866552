//go:build linux

package cache

import (
	"bufio"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/microdot-go/microdot/reliability/internal/child"
)

// process is a program the test started. It is killed when the test ends
// unless stop ended it, and also if the test binary dies (Pdeathsig).
type process struct {
	name           string
	cmd            *exec.Cmd
	exited         chan error
	stopped        bool
	stdout, stderr child.Output
}

func startProcess(t *testing.T, name, bin string, args ...string) *process {
	t.Helper()
	p := &process{name: name, exited: make(chan error, 1)}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	go func() { p.exited <- p.cmd.Wait() }()
	t.Cleanup(func() {
		if !p.stopped {
			p.cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			t.Logf("%s output:\n%s%s", name, p.stdout.String(), p.stderr.String())
		}
	})
	return p
}

// stop sends SIGTERM and waits up to 10 s for the process to exit.
func (p *process) stop() error {
	if p.stopped {
		return nil
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case err := <-p.exited:
		p.stopped = true
		return err
	case <-time.After(10 * time.Second):
		return fmt.Errorf("%s did not exit within 10 s of SIGTERM", p.name)
	}
}

// hasExited reports whether the process has exited, and how.
func (p *process) hasExited() (bool, error) {
	if p.stopped {
		return true, nil
	}
	select {
	case err := <-p.exited:
		p.stopped = true
		return true, err
	default:
		return false, nil
	}
}

// startCamera runs the camera with args (which must put its listeners on
// port 0) and returns it with the URL of its API, once printed (30 s at
// most).
func startCamera(t *testing.T, bin string, args ...string) (*process, string) {
	t.Helper()
	p := startProcess(t, "camera", bin, args...)
	var api string
	if !waitFor(30*time.Second, func() bool {
		sc := bufio.NewScanner(strings.NewReader(p.stdout.String()))
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "camera API: "); ok {
				api = u
			}
		}
		exited, _ := p.hasExited()
		return api != "" || exited
	}) || api == "" {
		t.Fatalf("the camera printed no API URL within 30 s:\n%s%s", p.stdout.String(), p.stderr.String())
	}
	return p, api
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitFor polls cond every 20 ms until it holds or timeout passes.
func waitFor(timeout time.Duration, cond func() bool) bool {
	return child.WaitFor(timeout, 20*time.Millisecond, cond)
}
