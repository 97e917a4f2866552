package bench

import (
	"io"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	"github.com/julienschmidt/httprouter"
	"github.com/labstack/echo/v4"
)

// Peer routers, each set up the way its documentation shows, with no
// middleware. Every handler body does the same work: write the same bytes with
// io.WriteString on the framework's own response writer.
//
// In the GitHub API set, the handler for routes[i] stores i in served and
// writes nothing. That one store is the same for every router and lets the
// checks prove that each request reached its own handler.

func init() {
	gin.SetMode(gin.ReleaseMode)
}

var httprouterContender = contender{
	name: "httprouter",
	static: func() http.Handler {
		r := httprouter.New()
		r.GET("/hello", func(w http.ResponseWriter, _ *http.Request, _ httprouter.Params) {
			io.WriteString(w, "hello")
		})
		return r
	},
	param: func() http.Handler {
		r := httprouter.New()
		r.GET("/user/:name", func(w http.ResponseWriter, _ *http.Request, ps httprouter.Params) {
			io.WriteString(w, ps.ByName("name"))
		})
		return r
	},
	github: func(routes []route) http.Handler {
		r := httprouter.New()
		for i, rt := range routes {
			r.Handle(rt.method, rt.path, func(http.ResponseWriter, *http.Request, httprouter.Params) {
				served = i
			})
		}
		return r
	},
}

var ginContender = contender{
	name: "gin",
	static: func() http.Handler {
		e := gin.New()
		e.GET("/hello", func(c *gin.Context) {
			io.WriteString(c.Writer, "hello")
		})
		return e
	},
	param: func() http.Handler {
		e := gin.New()
		e.GET("/user/:name", func(c *gin.Context) {
			io.WriteString(c.Writer, c.Param("name"))
		})
		return e
	},
	github: func(routes []route) http.Handler {
		e := gin.New()
		for i, rt := range routes {
			e.Handle(rt.method, rt.path, func(*gin.Context) {
				served = i
			})
		}
		return e
	},
}

// echo's Response has no WriteString method, so io.WriteString converts the
// string to a []byte (8 B, 1 alloc per request for these bodies).
var echoContender = contender{
	name: "echo",
	static: func() http.Handler {
		e := echo.New()
		e.GET("/hello", func(c echo.Context) error {
			_, err := io.WriteString(c.Response(), "hello")
			return err
		})
		return e
	},
	param: func() http.Handler {
		e := echo.New()
		e.GET("/user/:name", func(c echo.Context) error {
			_, err := io.WriteString(c.Response(), c.Param("name"))
			return err
		})
		return e
	},
	github: func(routes []route) http.Handler {
		e := echo.New()
		for i, rt := range routes {
			e.Add(rt.method, rt.path, func(echo.Context) error {
				served = i
				return nil
			})
		}
		return e
	},
}

var chiContender = contender{
	name: "chi",
	static: func() http.Handler {
		r := chi.NewRouter()
		r.Get("/hello", func(w http.ResponseWriter, _ *http.Request) {
			io.WriteString(w, "hello")
		})
		return r
	},
	param: func() http.Handler {
		r := chi.NewRouter()
		r.Get("/user/{name}", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, chi.URLParam(r, "name"))
		})
		return r
	},
	github: func(routes []route) http.Handler {
		r := chi.NewRouter()
		for i, rt := range routes {
			r.MethodFunc(rt.method, convertPath(rt.path, braces), func(http.ResponseWriter, *http.Request) {
				served = i
			})
		}
		return r
	},
}

var serveMuxContender = contender{
	name: "servemux",
	static: func() http.Handler {
		mux := http.NewServeMux()
		mux.HandleFunc("GET /hello", func(w http.ResponseWriter, _ *http.Request) {
			io.WriteString(w, "hello")
		})
		return mux
	},
	param: func() http.Handler {
		mux := http.NewServeMux()
		mux.HandleFunc("GET /user/{name}", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, r.PathValue("name"))
		})
		return mux
	},
	github: func(routes []route) http.Handler {
		mux := http.NewServeMux()
		for i, rt := range routes {
			mux.HandleFunc(rt.method+" "+convertPath(rt.path, braces), func(http.ResponseWriter, *http.Request) {
				served = i
			})
		}
		return mux
	},
}
