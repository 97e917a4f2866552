// Package reliability holds the tests that show how the microdot framework
// and its CORS extension behave under faults and hostile input, over real
// loopback connections: panicking handlers, clients that vanish mid-stream,
// graceful shutdown with requests in flight, configuration updates while
// serving, slow and oversized requests, header floods, origin floods and
// path traversal against the static file handler.
//
// The package has no code of its own; its tests log their measurements as
// "FIGURE <name>: <value>" lines (go test -v), which docs/reliability.md
// reports. Run them with
//
//	cd reliability && go test -race ./...
package reliability
