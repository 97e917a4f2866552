// Package cache holds the shared-cache test of the camera example's CORS
// headers: Debian's nginx, started by the test as a caching reverse proxy
// (proxy_cache) in front of the camera API, must never serve a response
// cached for one Origin, with that Origin's CORS headers, to a request
// from another Origin or without one. The CORS extension's Vary: Origin is
// what keeps the variants apart; a negative control, the same proxy told to
// ignore Vary, shows that the test catches a leak when there is one.
//
// The test skips itself when nginx is not installed:
//
//	cd reliability && go test -count=1 -v -run TestSharedCache ./cache
package cache
