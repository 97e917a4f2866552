package main

import (
	"expvar"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime"
	"sync"
	"time"
)

// publishDebugVars publishes, once per process, the expvar variables that
// the debug listener adds to the standard ones (memstats, cmdline).
var publishDebugVars = sync.OnceFunc(func() {
	expvar.Publish("goroutines", expvar.Func(func() any { return runtime.NumGoroutine() }))
})

// debugListen listens on addr, the -debug-addr flag, which must be a
// loopback address: the debug endpoints show the process's memory and
// profiles, which are for the people who run it, not for the network.
func debugListen(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("-debug-addr %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("-debug-addr %q: the debug endpoints listen on a loopback address only (127.0.0.1:6060, [::1]:6060, localhost:6060)", addr)
	}
	return net.Listen("tcp", addr)
}

// newDebugServer returns the server of the debug endpoints:
//
//   - /debug/vars: expvar's variables as JSON, among them memstats
//     (runtime.MemStats) and goroutines (runtime.NumGoroutine). The cmdline
//     variable is left out, as it would show a -password given on the
//     command line;
//   - /debug/pprof/: net/http/pprof's profiles (heap, goroutine, allocs,
//     profile, trace ...), without its cmdline endpoint for the same reason.
//     /debug/pprof/heap?gc=1 collects garbage before taking the profile,
//     which makes the next memstats show the live heap.
//
// It is served on its own listener, never on the API's, so the API's CORS
// policy and routes are unaffected.
func newDebugServer(logger *slog.Logger) *http.Server {
	publishDebugVars()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/vars", debugVars)
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       60 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// debugVars serves expvar's variables in expvar.Handler's format, except
// cmdline.
func debugVars(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprint(w, "{\n")
	first := true
	expvar.Do(func(kv expvar.KeyValue) {
		if kv.Key == "cmdline" {
			return
		}
		if !first {
			fmt.Fprint(w, ",\n")
		}
		first = false
		fmt.Fprintf(w, "%q: %s", kv.Key, kv.Value)
	})
	fmt.Fprint(w, "\n}\n")
}
