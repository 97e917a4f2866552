// Command wrkserver serves GET /hello with one router, for a load generator
// such as wrk to measure over a real connection: bench/wrk.sh starts one per
// contender and compares their throughput.
//
//	wrkserver -router microdot-hooks -addr 127.0.0.1:8100
//
// Every contender answers the same response: 200, "hello" and
// "Content-Type: text/plain; charset=utf-8", through the same net/http
// server with its default settings, so that only the router and its
// handler differ. It prints "listening on ADDR" once it accepts
// connections, and serves until killed.
package main

import (
	"flag"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	"github.com/julienschmidt/httprouter"
	"github.com/labstack/echo/v4"
	"github.com/microdot-go/microdot/microdot"
)

const textPlain = "text/plain; charset=utf-8"

// routers builds each contender's handler, set up the way its
// documentation shows, with no middleware; the App has two no-op hooks, one
// before and one after each request.
var routers = map[string]func() http.Handler{
	"httprouter": func() http.Handler {
		r := httprouter.New()
		r.GET("/hello", func(w http.ResponseWriter, _ *http.Request, _ httprouter.Params) {
			w.Header().Set("Content-Type", textPlain)
			io.WriteString(w, "hello")
		})
		return r
	},
	"microdot-hooks": func() http.Handler { return helloApp(0) },
	// The App without its bound on clients that stop reading, to measure
	// what the bound costs; not a way to serve.
	"microdot-hooks-unbounded": func() http.Handler { return helloApp(-1) },
	"gin": func() http.Handler {
		gin.SetMode(gin.ReleaseMode)
		e := gin.New()
		e.GET("/hello", func(c *gin.Context) { c.String(http.StatusOK, "hello") })
		return e
	},
	"chi": func() http.Handler {
		r := chi.NewRouter()
		r.Get("/hello", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", textPlain)
			io.WriteString(w, "hello")
		})
		return r
	},
	"echo": func() http.Handler {
		e := echo.New()
		e.HideBanner, e.HidePort = true, true
		e.GET("/hello", func(c echo.Context) error { return c.String(http.StatusOK, "hello") })
		return e
	},
}

// helloApp is the App contender: GET /hello, with two no-op hooks, one
// before and one after each request, and the given WriteStallTimeout.
func helloApp(stall time.Duration) *microdot.App {
	app := microdot.New()
	app.WriteStallTimeout = stall
	app.BeforeRequest(func(*microdot.Request) (*microdot.Response, error) {
		return nil, nil
	})
	app.AfterRequest(func(*microdot.Request, *microdot.Response) *microdot.Response {
		return nil
	})
	app.Get("/hello", func(*microdot.Request) (*microdot.Response, error) {
		return microdot.Text("hello"), nil
	})
	return app
}

func main() {
	names := slices.Sorted(maps.Keys(routers))
	router := flag.String("router", "", "the contender to serve: "+strings.Join(names, ", "))
	addr := flag.String("addr", "127.0.0.1:0", "the `address` to listen on")
	writeTimeout := flag.Duration("write-timeout", 0, "the server's WriteTimeout (the App's NewServer sets 30s): every contender gets the same")
	flag.Parse()
	build, ok := routers[*router]
	if !ok {
		fmt.Fprintf(os.Stderr, "wrkserver: unknown -router %q; want one of %s\n", *router, strings.Join(names, ", "))
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "wrkserver:", err)
		os.Exit(1)
	}
	fmt.Println("listening on", ln.Addr())
	srv := &http.Server{Handler: build(), WriteTimeout: *writeTimeout}
	if err := srv.Serve(ln); err != nil {
		fmt.Fprintln(os.Stderr, "wrkserver:", err)
		os.Exit(1)
	}
}
