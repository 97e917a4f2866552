// Command camera is a network camera built with microdot: a synthetic sensor
// streams MJPEG, takes JPEG snapshots and has settings behind a login, and a
// dashboard served from a second origin drives it through CORS.
//
//	go run ./examples/camera
//
// then open the dashboard URL it prints. See docs/camera.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/microdot-go/microdot/microdot"
)

// shutdownTimeout bounds the graceful shutdown: requests still running
// after it are cut.
const shutdownTimeout = 10 * time.Second

func main() {
	err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr)
	var usage usageError
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
	case errors.As(err, &usage):
		os.Exit(2) // the flag package printed the problem and the usage
	default:
		fmt.Fprintln(os.Stderr, "camera:", err)
		os.Exit(1)
	}
}

// run is the whole program: it serves until ctx is done or SIGINT or
// SIGTERM arrives, then shuts both servers down gracefully and returns nil.
// It writes the URLs to stdout and the log to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("camera", flag.ContinueOnError)
	fs.SetOutput(stderr)
	apiAddr := fs.String("api", "127.0.0.1:8080", "`address` of the camera API (port 0 picks a free port)")
	dashAddr := fs.String("dashboard", "127.0.0.1:8081", "`address` of the dashboard page (port 0 picks a free port)")
	password := fs.String("password", "", "the password that allows settings changes (default $CAMERA_PASSWORD, or \"camera\")")
	hosts := fs.String("allowed-hosts", "", "comma-separated host `names` (or addresses) that the camera answers to beside its listen address, localhost and loopback, such as camera.local; requests for other hosts get 421 (the defence against DNS rebinding)")
	var co corsOptions
	fs.StringVar(&co.origins, "cors-origin", "", "comma-separated `origins` allowed to call the API with credentials (default: the dashboard's origin)")
	fs.StringVar(&co.file, "cors-config", "", "read the CORS policy from `file`, in wsgicors's keyword format; SIGHUP reloads it")
	fs.BoolVar(&co.insecure, "cors-allow-insecure-origins", false, "allow plain-http origins other than loopback with -cors-origin (a LAN without https); anyone on the network path can then act as the dashboard")
	verbose := fs.Bool("v", false, "log debug records, such as why a CORS preflight was refused")
	debugAddr := fs.String("debug-addr", "", "serve expvar's /debug/vars (memstats, goroutines) and net/http/pprof on this loopback `address` (port 0 picks a free port); off when empty")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "unexpected arguments: %q\n", fs.Args())
		fs.Usage()
		return usageError{fmt.Errorf("unexpected arguments: %q", fs.Args())}
	}
	if *password == "" {
		*password = os.Getenv("CAMERA_PASSWORD")
	}
	if *password == "" {
		*password = defaultPassword
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	// Listen first: with port 0 the URLs, and so the dashboard's origin that
	// the CORS policy allows, are known only now.
	apiLn, err := net.Listen("tcp", *apiAddr)
	if err != nil {
		return err
	}
	defer apiLn.Close()
	dashLn, err := net.Listen("tcp", *dashAddr)
	if err != nil {
		return err
	}
	defer dashLn.Close()
	var debugLn net.Listener
	if *debugAddr != "" {
		if debugLn, err = debugListen(*debugAddr); err != nil {
			return err
		}
		defer debugLn.Close()
	}
	apiURL, dashURL := baseURL(apiLn.Addr()), baseURL(dashLn.Addr())

	corsCfg, err := corsConfig(co, []string{dashURL}, logger)
	if err != nil {
		return err
	}
	cam := NewCamera(DefaultSettings, "MICRODOT CAMERA")
	auth, err := NewAuth(*password, 12*time.Hour, os.Getenv("CAMERA_SECRET_KEY"), logger)
	if err != nil {
		return fmt.Errorf("$CAMERA_SECRET_KEY: %w", err)
	}
	apiApp, c, err := newAPIApp(cam, auth, corsCfg, logger)
	if err != nil {
		return fmt.Errorf("CORS policy: %w", err)
	}
	dashApp := newDashboardApp(apiOriginFor(apiLn.Addr()), logger)
	allowed := allowedHosts([]net.Addr{apiLn.Addr(), dashLn.Addr()}, splitList(*hosts))
	for _, app := range []*microdot.App{apiApp, dashApp} {
		if err := app.SetAllowedHosts(allowed...); err != nil {
			return fmt.Errorf("-allowed-hosts: %w", err)
		}
	}
	warnIfExposed(stderr, logger, apiLn.Addr(), *password)

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	var wg sync.WaitGroup
	work, cancelWork := context.WithCancel(ctx)
	defer cancelWork()
	reloader := &corsReloader{cors: c, opts: co, logger: logger}
	wg.Go(func() { cam.Run(work) })
	wg.Go(func() { reloader.watch(work, hup) })

	apiSrv := apiApp.NewServer(apiLn.Addr().String())
	dashSrv := dashApp.NewServer(dashLn.Addr().String())
	served := make(chan error, 3)
	wg.Go(func() { served <- apiSrv.Serve(apiLn) })
	wg.Go(func() { served <- dashSrv.Serve(dashLn) })
	var debugSrv *http.Server
	if debugLn != nil {
		debugSrv = newDebugServer(logger)
		wg.Go(func() { served <- debugSrv.Serve(debugLn) })
	}

	fmt.Fprintf(stdout, "camera API: %s\n", apiURL)
	fmt.Fprintf(stdout, "dashboard: %s/\n", dashURL)
	if debugLn != nil {
		fmt.Fprintf(stdout, "debug: %s/debug/vars\n", baseURL(debugLn.Addr()))
	}
	logger.Info("camera: serving", "api", apiURL, "dashboard", dashURL+"/", "cors", describeCORS(c.Config()))

	var failed error
	select {
	case <-ctx.Done():
		logger.Info("camera: shutting down")
	case err := <-served: // a server failed: stop the other one too
		failed = err
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	// Shutdown ends the MJPEG streams, then waits for the other requests.
	err = errors.Join(failed, apiApp.Shutdown(sctx), dashApp.Shutdown(sctx))
	if debugSrv != nil {
		// Nothing on the debug listener is worth waiting for (a CPU
		// profile takes 30 s): cut it.
		debugSrv.Close()
	}
	cancelWork()
	wg.Wait()
	close(served)
	for e := range served {
		if !errors.Is(e, http.ErrServerClosed) {
			err = errors.Join(err, e)
		}
	}
	return err
}

// usageError is a command-line mistake, already reported with the usage.
type usageError struct{ error }

// baseURL returns the http URL of a listening address, without a trailing
// slash. An unspecified address (0.0.0.0, ::) is shown as 127.0.0.1, which
// reaches it from this machine.
func baseURL(addr net.Addr) string {
	host, port, _ := net.SplitHostPort(addr.String())
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}
