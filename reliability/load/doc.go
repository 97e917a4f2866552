// Package load holds the load test of the camera example (examples/camera):
// Debian's wrk drives a mix of CORS preflights, credentialed requests and
// snapshots (mix.lua) against the example, built and started by the test
// with its CORS policy and a -debug-addr listener, while long-lived MJPEG
// streams stay open. The test asserts that no request fails and that the
// camera's goroutines and heap come back to their baseline afterwards, and
// logs its measurements as "FIGURE <name>: <value>" lines, which
// docs/reliability.md reports.
//
// The test skips itself when wrk is not installed. It runs for 5 s by
// default; run.sh runs the full 30 s version:
//
//	cd reliability && go test -count=1 -v -run TestLoad ./load -load-duration=30s
package load
