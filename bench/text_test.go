package bench

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/julienschmidt/httprouter"
	"github.com/labstack/echo/v4"
	"github.com/microdot-go/microdot/microdot"
)

// The same two cases, with every router sending the same response as the
// App's Text: the body and "Content-Type: text/plain; charset=utf-8". The
// App cannot send a body without a content type, so these cases compare
// equal output; BenchmarkStatic and BenchmarkParam let the peers skip the
// header.

const textPlain = "text/plain; charset=utf-8"

type textContender struct {
	name   string
	static func() http.Handler // GET /hello answers "hello"
	param  func() http.Handler // GET /user/:name answers the name
}

var textContenders = []textContender{
	{
		name: "httprouter",
		static: func() http.Handler {
			r := httprouter.New()
			r.GET("/hello", func(w http.ResponseWriter, _ *http.Request, _ httprouter.Params) {
				w.Header().Set("Content-Type", textPlain)
				io.WriteString(w, "hello")
			})
			return r
		},
		param: func() http.Handler {
			r := httprouter.New()
			r.GET("/user/:name", func(w http.ResponseWriter, _ *http.Request, ps httprouter.Params) {
				w.Header().Set("Content-Type", textPlain)
				io.WriteString(w, ps.ByName("name"))
			})
			return r
		},
	},
	{
		name: "microdot-hooks",
		static: func() http.Handler {
			app := newApp(true)
			app.Get("/hello", func(*microdot.Request) (*microdot.Response, error) { return microdot.Text("hello"), nil })
			return app
		},
		param: func() http.Handler {
			app := newApp(true)
			app.Get("/user/<name>", func(req *microdot.Request) (*microdot.Response, error) {
				return microdot.Text(req.PathValue("name")), nil
			})
			return app
		},
	},
	{
		name: "gin",
		static: func() http.Handler {
			e := gin.New()
			e.GET("/hello", func(c *gin.Context) { c.String(http.StatusOK, "hello") })
			return e
		},
		param: func() http.Handler {
			e := gin.New()
			e.GET("/user/:name", func(c *gin.Context) { c.String(http.StatusOK, c.Param("name")) })
			return e
		},
	},
	{
		name: "echo",
		static: func() http.Handler {
			e := echo.New()
			e.GET("/hello", func(c echo.Context) error { return c.String(http.StatusOK, "hello") })
			return e
		},
		param: func() http.Handler {
			e := echo.New()
			e.GET("/user/:name", func(c echo.Context) error { return c.String(http.StatusOK, c.Param("name")) })
			return e
		},
	},
	{
		name: "servemux",
		static: func() http.Handler {
			mux := http.NewServeMux()
			mux.HandleFunc("GET /hello", func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", textPlain)
				io.WriteString(w, "hello")
			})
			return mux
		},
		param: func() http.Handler {
			mux := http.NewServeMux()
			mux.HandleFunc("GET /user/{name}", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", textPlain)
				io.WriteString(w, r.PathValue("name"))
			})
			return mux
		},
	},
}

// checkText checks that h answers req with 200, want and the text/plain type
// (echo spells the charset UTF-8).
func checkText(tb testing.TB, h http.Handler, req *http.Request, want string) {
	tb.Helper()
	w := newCheckWriter()
	h.ServeHTTP(w, req)
	if w.code() != http.StatusOK || w.body.String() != want || !strings.EqualFold(w.header.Get("Content-Type"), textPlain) {
		tb.Fatalf("%s %s: got %d %q %q", req.Method, req.URL.Path, w.code(), w.body.String(), w.header.Get("Content-Type"))
	}
}

// BenchmarkStaticText: GET /hello answered "hello" as text/plain.
func BenchmarkStaticText(b *testing.B) {
	for _, c := range textContenders {
		b.Run(c.name, func(b *testing.B) {
			h, req := c.static(), staticRequest()
			checkText(b, h, req, "hello")
			benchServe(b, h, req)
		})
	}
}

// BenchmarkParamText: GET /user/:name answered with the name as text/plain.
func BenchmarkParamText(b *testing.B) {
	for _, c := range textContenders {
		b.Run(c.name, func(b *testing.B) {
			h, req := c.param(), paramRequest()
			checkText(b, h, req, paramValue)
			benchServe(b, h, req)
		})
	}
}

func TestTextContenders(t *testing.T) {
	for _, c := range textContenders {
		checkText(t, c.static(), staticRequest(), "hello")
		checkText(t, c.param(), paramRequest(), paramValue)
	}
}
