package cache

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks, once every test has run, that no goroutine of the test
// is left behind: viewers, samplers, clients and process waiters all end.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
