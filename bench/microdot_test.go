package bench

import (
	"github.com/microdot-go/microdot/microdot"
	"net/http"
)

// The microdot App, plain and with one no-op before-request hook and one
// no-op after-request hook (each hook only counts its call, so the checks can
// see that both ran).

func init() {
	appContenders = []contender{appContender("microdot", false), appContender("microdot-hooks", true), sharedContender()}
}

func newApp(hooks bool) *microdot.App {
	app := microdot.New()
	if hooks {
		app.BeforeRequest(func(*microdot.Request) (*microdot.Response, error) {
			hookCalls++
			return nil, nil
		})
		app.AfterRequest(func(*microdot.Request, *microdot.Response) *microdot.Response {
			hookCalls++
			return nil
		})
	}
	return app
}

func appContender(name string, hooks bool) contender {
	c := contender{
		name: name,
		static: func() http.Handler {
			app := newApp(hooks)
			app.Get("/hello", func(*microdot.Request) (*microdot.Response, error) {
				return microdot.Text("hello"), nil
			})
			return app
		},
		param: func() http.Handler {
			app := newApp(hooks)
			app.Get("/user/<name>", func(req *microdot.Request) (*microdot.Response, error) {
				return microdot.Text(req.PathValue("name")), nil
			})
			return app
		},
		github: func(routes []route) http.Handler {
			app := newApp(hooks)
			for i, rt := range routes {
				app.Route(convertPath(rt.path, angles), func(*microdot.Request) (*microdot.Response, error) {
					served = i
					return nil, nil
				}, rt.method)
			}
			return app
		},
	}
	if hooks {
		c.hooksPerRequest = 2
	}
	return c
}

// helloResponse is built once and returned by every request: the App never
// changes a handler's Response, so this is safe, and it spares the
// allocation of a Response per request.
var helloResponse = microdot.Text("hello")

// sharedContender is the hooked App whose static route returns a shared
// Response; its param and GitHub cases are those of microdot-hooks.
func sharedContender() contender {
	c := appContender("microdot-hooks-shared", true)
	c.static = func() http.Handler {
		app := newApp(true)
		app.Get("/hello", func(*microdot.Request) (*microdot.Response, error) {
			return helloResponse, nil
		})
		return app
	}
	return c
}
