package e2e

import (
	"fmt"
	"net/http"
	"os"
	"runtime"
	"testing"
	"time"
)

// TestMain fails the run when goroutines outlive the tests: every browser,
// process and server a test starts must be stopped, and every wait bounded.
func TestMain(m *testing.M) {
	before := runtime.NumGoroutine()
	code := m.Run()
	if code == 0 {
		if err := noLeakedGoroutines(before, 10*time.Second); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}

// noLeakedGoroutines waits up to timeout for the number of goroutines to go
// back to want, and returns an error with every goroutine's stack if it
// does not.
func noLeakedGoroutines(want int, timeout time.Duration) error {
	http.DefaultClient.CloseIdleConnections()
	deadline := time.Now().Add(timeout)
	for {
		n := runtime.NumGoroutine()
		if n <= want {
			return nil
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			return fmt.Errorf("%d goroutines leaked (%d before the tests, %d after):\n%s", n-want, want, n, buf)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
