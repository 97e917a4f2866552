package microdot

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"sync"
	"syscall"
	"time"
)

// Timeouts and limits of the servers that NewServer and Run create. They keep
// a slow or silent client from holding a connection forever (Microdot's
// server has no read timeout at all). Writing is bounded by
// App.WriteStallTimeout (DefaultWriteStallTimeout) without progress, not as
// a whole, so that long streams keep going; streams stop on Shutdown.
const (
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = 60 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	DefaultMaxHeaderBytes    = 64 << 10
	DefaultShutdownTimeout   = 30 * time.Second
)

type serverState struct {
	mu       sync.Mutex
	servers  []*http.Server
	ctx      context.Context
	cancel   context.CancelFunc
	shutdown chan struct{} // closed when the running Shutdown has finished
	pending  bool          // Shutdown found nothing serving: the next Serve stops at once
	running  takeovers     // Takeover responses in progress, which Shutdown waits for
}

// shutdownDone returns a channel that is closed when the Shutdown in
// progress has finished, or nil when none is in progress.
func (s *serverState) shutdownDone() chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.shutdown
}

func (s *serverState) closing() context.Context {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx == nil {
		s.ctx, s.cancel = context.WithCancel(context.Background())
	}
	return s.ctx
}

// NewServer returns an *http.Server for a at addr with safe timeouts and
// limits: a 10 s limit on reading request headers, 60 s on reading a whole
// request, 120 s for idle keep-alive connections and 64 KiB of headers
// (larger ones get 431). Writing has no overall limit, so that streams and
// large downloads can take their time, but every response is bounded
// against a client that stops reading: a write that makes no progress for
// App.WriteStallTimeout (30 s by default) fails and the connection is
// closed. The server's WriteTimeout is that limit: net/http sets it as each
// request comes in, and the App extends it as a response makes progress. Use it to serve with TLS or on your own listener, after changing
// what you need; Shutdown covers servers made here once they serve.
func (a *App) NewServer(addr string) *http.Server {
	srv := &http.Server{
		Addr:              addr,
		Handler:           a,
		ReadHeaderTimeout: DefaultReadHeaderTimeout,
		ReadTimeout:       DefaultReadTimeout,
		IdleTimeout:       DefaultIdleTimeout,
		MaxHeaderBytes:    DefaultMaxHeaderBytes,
		WriteTimeout:      a.WriteStallLimit(),
		// Let the App answer "OPTIONS *" (with its Allow list and hooks).
		DisableGeneralOptionsHandler: true,
		ErrorLog:                     slog.NewLogLogger(a.logger().Handler(), slog.LevelWarn),
	}
	a.srv.mu.Lock()
	if a.srv.ctx != nil && a.srv.ctx.Err() != nil {
		a.srv.ctx, a.srv.cancel = nil, nil // a new start after a shutdown
	}
	a.srv.servers = append(a.srv.servers, srv)
	a.srv.mu.Unlock()
	return srv
}

// Run serves a on addr (":8080", "127.0.0.1:5000") until SIGINT or SIGTERM
// arrives or Shutdown is called, then shuts down gracefully: it stops
// accepting connections, ends streaming responses, lets in-flight requests
// finish for up to 30 seconds (closing the connections still busy after
// that) and returns nil. Any other failure (the address is in use) is
// returned. Once listening, it logs the address it serves on (with the port
// chosen for ":0") through the App's Logger.
func (a *App) Run(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return a.Serve(l)
}

// Serve is Run on a listener that the caller opened.
func (a *App) Serve(l net.Listener) error {
	a.logger().Info("microdot: listening", slog.String("addr", l.Addr().String()))
	srv := a.NewServer(l.Addr().String())
	a.srv.mu.Lock()
	if a.srv.pending {
		// Shutdown was called before this Serve got going (go app.Serve(l);
		// app.Shutdown(ctx)): honour it instead of serving on.
		a.srv.pending = false
		a.srv.servers = slices.DeleteFunc(a.srv.servers, func(s *http.Server) bool { return s == srv })
		a.srv.mu.Unlock()
		l.Close()
		return nil
	}
	a.srv.mu.Unlock()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	select {
	case err := <-served:
		if errors.Is(err, http.ErrServerClosed) {
			// Shutdown was called: return once in-flight requests are done,
			// so that a program that exits after Run loses none.
			if done := a.srv.shutdownDone(); done != nil {
				<-done
			}
			return nil
		}
		return err
	case sig := <-sigs:
		a.logger().Info("microdot: shutting down", slog.String("signal", sig.String()))
		ctx, cancel := context.WithTimeout(context.Background(), DefaultShutdownTimeout)
		defer cancel()
		if err := a.Shutdown(ctx); err != nil {
			// The grace period is over and Shutdown closed the
			// connections still busy: the stop that was asked for.
			a.logger().Warn("microdot: connections still busy after the grace period were closed",
				slog.String("error", err.Error()))
		}
		<-served
		return nil
	}
}

// Shutdown gracefully stops the servers that Run, Serve or NewServer made for
// a: they stop accepting connections, streaming responses are told to end,
// and Shutdown waits for in-flight requests until they finish or ctx ends.
// In the latter case it closes the connections that are still busy (a
// client that stops reading, a handler that does not return) and returns
// ctx's error, so that it never takes longer than ctx allows and leaves no
// connection behind. Called while no server is serving yet (right after go
// app.Serve(l)), it makes the next Serve or Run return at once.
func (a *App) Shutdown(ctx context.Context) error {
	a.srv.mu.Lock()
	servers := a.srv.servers
	a.srv.servers = nil
	a.srv.pending = len(servers) == 0
	done := make(chan struct{})
	a.srv.shutdown = done
	defer func() {
		a.srv.mu.Lock()
		if a.srv.shutdown == done {
			a.srv.shutdown = nil
		}
		a.srv.mu.Unlock()
		close(done)
	}()
	if a.srv.cancel == nil {
		a.srv.ctx, a.srv.cancel = context.WithCancel(context.Background())
	}
	a.srv.cancel() // ends streaming responses, which would keep Shutdown waiting
	a.srv.mu.Unlock()
	var errs []error
	for _, srv := range servers {
		if err := srv.Shutdown(ctx); err != nil {
			errs = append(errs, err)
			srv.Close()
		}
	}
	if err := a.srv.running.wait(ctx); err != nil && len(errs) == 0 {
		errs = append(errs, err) // hijacked connections, which srv.Shutdown does not see
	}
	return errors.Join(errs...)
}
