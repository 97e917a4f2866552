// Package child holds what the reliability tests need to run the camera
// example as a program: building it, capturing its output and waiting for
// it.
package child

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// BuildCamera builds the camera example found at dir (a path relative to
// the calling test's package, such as "../../examples/camera") into the
// test's temporary directory and returns the binary's path. It skips the
// test when there is no go command, and fails it when the build fails.
func BuildCamera(t testing.TB, dir string) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the camera example")
	}
	bin := filepath.Join(t.TempDir(), "camera")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, goBin, "build", "-o", bin, dir).CombinedOutput()
	if err != nil {
		t.Fatalf("go build %s: %v\n%s", dir, err, out)
	}
	return bin
}

// Output collects a child process's output; it is safe for concurrent use,
// so a test can read it while the process writes.
type Output struct {
	mu sync.Mutex
	b  strings.Builder
}

// Write appends p.
func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.Write(p)
}

// String returns everything written so far.
func (o *Output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}

// WaitFor polls cond every interval until it holds or timeout passes, and
// reports whether it held.
func WaitFor(timeout, interval time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(interval)
	}
}
