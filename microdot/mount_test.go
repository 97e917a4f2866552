package microdot_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/microdot-go/microdot/microdot"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Microdot's mount tests append to res.body in after hooks. A Response does
// not expose its body, so these ports keep the body text in the request's
// scratch space ("body") and hooks rebuild the response from it; a
// framework-made error response has the status text as its body.

func say(req *microdot.Request, body string, status int) *microdot.Response {
	req.Set("body", body)
	return microdot.Text(body).WithStatus(status)
}

func bodyOf(req *microdot.Request, res *microdot.Response) string {
	if b, ok := req.Get("body"); ok {
		return b.(string)
	}
	return http.StatusText(res.StatusCode)
}

func appendBody(suffix string) microdot.AfterFunc {
	return func(req *microdot.Request, res *microdot.Response) *microdot.Response {
		return say(req, bodyOf(req, res)+suffix, res.StatusCode)
	}
}

func getString(req *microdot.Request, key string) string {
	v, _ := req.Get(key)
	s, _ := v.(string)
	return s
}

// TestMount ports test_mount: the sub-app's hooks and error handlers move
// into the App and apply to all of its routes.
func TestMount(t *testing.T) {
	sub := microdot.New()
	sub.BeforeRequest(func(req *microdot.Request) (*microdot.Response, error) {
		req.Set("before", "before")
		return nil, nil
	})
	sub.AfterRequest(appendBody(":after"))
	sub.AfterErrorRequest(appendBody(":errorafter"))
	sub.ErrorHandler(404, func(req *microdot.Request, err error) (*microdot.Response, error) {
		return say(req, "404", 404), nil
	})
	sub.Get("/app", func(req *microdot.Request) (*microdot.Response, error) {
		return say(req, getString(req, "before")+":"+req.MountPrefix(), 200), nil
	})
	app := microdot.New()
	app.Get("/own", func(req *microdot.Request) (*microdot.Response, error) {
		return say(req, getString(req, "before")+":own:"+req.MountPrefix(), 200), nil
	})
	app.Mount("/sub", sub)
	c := microdot.NewTestClient(app)

	res := c.Get("/app")
	assert.Equal(t, 404, res.StatusCode)
	assert.Equal(t, "text/plain; charset=utf-8", res.Header.Get("Content-Type"))
	assert.Equal(t, "404:errorafter", res.Text())

	res = c.Get("/sub/app")
	assert.Equal(t, 200, res.StatusCode)
	assert.Equal(t, "text/plain; charset=utf-8", res.Header.Get("Content-Type"))
	assert.Equal(t, "before:/sub:after", res.Text())

	// The moved hooks apply app-wide, also to the App's own routes.
	res = c.Get("/own")
	assert.Equal(t, "before:own::after", res.Text())
}

type valueError struct{ msg string }

func (e *valueError) Error() string { return e.msg }

// TestMountLocal ports test_mount_local: a locally mounted sub-app's hooks
// and error handlers apply to its own routes only; the App's BeforeRequest
// hooks run before the sub-app's, and the sub-app's after hooks before the
// App's.
func TestMountLocal(t *testing.T) {
	sub1 := microdot.New()
	sub1.BeforeRequest(func(req *microdot.Request) (*microdot.Response, error) {
		req.Set("before", getString(req, "before")+":before1")
		return nil, nil
	})
	sub1.AfterErrorRequest(appendBody(":errorafter"))
	microdot.HandleError(sub1, func(req *microdot.Request, err *valueError) (*microdot.Response, error) {
		return say(req, err.msg, 400), nil
	})
	sub1.Get("/", func(req *microdot.Request) (*microdot.Response, error) {
		return nil, errors.New("division by zero")
	})
	sub1.Get("/foo", func(req *microdot.Request) (*microdot.Response, error) {
		return say(req, getString(req, "before")+":foo:"+req.MountPrefix(), 200), nil
	})
	sub1.Get("/err", func(req *microdot.Request) (*microdot.Response, error) {
		return nil, &valueError{"err"}
	})
	sub1.Get("/err2", func(req *microdot.Request) (*microdot.Response, error) {
		// Microdot raises a ValueError subclass; in Go, a wrapping error.
		return nil, fmt.Errorf("my error: %w", &valueError{"err"})
	})

	sub2 := microdot.New()
	sub2.BeforeRequest(func(req *microdot.Request) (*microdot.Response, error) {
		req.Set("before", getString(req, "before")+":before2")
		return nil, nil
	})
	sub2.AfterRequest(appendBody(":after"))
	sub2.ErrorHandler(405, func(req *microdot.Request, err error) (*microdot.Response, error) {
		return say(req, "405", 405), nil
	})
	sub2.Get("/bar", func(req *microdot.Request) (*microdot.Response, error) {
		return say(req, getString(req, "before")+":bar:"+req.MountPrefix(), 200), nil
	})
	sub2.Get("/baz", func(req *microdot.Request) (*microdot.Response, error) {
		return nil, microdot.Abort(405)
	})

	app := quietApp()
	app.BeforeRequest(func(req *microdot.Request) (*microdot.Response, error) {
		req.Set("before", "before-app")
		return nil, nil
	})
	app.AfterRequest(appendBody(":after-app"))
	app.MountLocal("", sub1)
	app.MountLocal("/sub", sub2)
	app.Get("/app-route", func(req *microdot.Request) (*microdot.Response, error) {
		return say(req, getString(req, "before")+":app", 200), nil
	})
	app.Get("/app-err", func(req *microdot.Request) (*microdot.Response, error) {
		return nil, &valueError{"app err"}
	})
	c := microdot.NewTestClient(app)

	tests := []struct {
		method, path string
		status       int
		body         string
	}{
		{"GET", "/", 500, "Internal Server Error:errorafter"},
		{"GET", "/foo", 200, "before-app:before1:foo::after-app"},
		{"GET", "/err", 400, "err:errorafter"},
		{"GET", "/err2", 400, "err:errorafter"},
		{"GET", "/sub/bar", 200, "before-app:before2:bar:/sub:after:after-app"},
		{"POST", "/sub/bar", 405, "405"},
		{"GET", "/sub/baz", 405, "405"},
		// The sub-apps' hooks and handlers stay off the App's own routes.
		{"GET", "/app-route", 200, "before-app:app:after-app"},
		{"GET", "/app-err", 500, "Internal Server Error"},
		{"GET", "/missing", 404, "Not Found"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			res := c.Request(tt.method, tt.path, nil)
			assert.Equal(t, tt.status, res.StatusCode)
			assert.Equal(t, tt.body, res.Text())
		})
	}
}

// TestManyMounts ports test_many_mounts: with moved hooks, every before hook
// runs in app, sub, subsub order on every route.
func TestManyMounts(t *testing.T) {
	for _, local := range []bool{false, true} {
		name := "Mount"
		if local {
			name = "MountLocal" // test_many_local_mounts
		}
		t.Run(name, func(t *testing.T) {
			mk := func(label string) *microdot.App {
				a := microdot.New()
				a.BeforeRequest(func(req *microdot.Request) (*microdot.Response, error) {
					req.Set("before", label)
					return nil, nil
				})
				a.Get("/", func(req *microdot.Request) (*microdot.Response, error) {
					return microdot.Text(getString(req, "before") + ":" + label + ":" + req.MountPrefix()), nil
				})
				return a
			}
			subsub, sub, app := mk("subsubapp"), mk("subapp"), mk("app")
			mount := (*microdot.App).Mount
			if local {
				mount = (*microdot.App).MountLocal
			}
			mount(sub, "/subsub", subsub)
			mount(app, "/sub", sub)
			c := microdot.NewTestClient(app)

			want := map[string]string{
				"/sub/subsub/": "subsubapp:subsubapp:/sub/subsub",
				"/sub/":        "subsubapp:subapp:/sub",
				"/":            "subsubapp:app:",
			}
			if local {
				want = map[string]string{
					"/sub/subsub/": "subsubapp:subsubapp:/sub/subsub",
					"/sub/":        "subapp:subapp:/sub",
					"/":            "app:app:",
				}
			}
			for path, body := range want {
				res := c.Get(path)
				assert.Equal(t, 200, res.StatusCode, path)
				assert.Equal(t, body, res.Text(), path)
			}
		})
	}
}

func TestMountedAppIsFrozen(t *testing.T) {
	h := text("x")
	tests := []struct {
		name string
		f    func(sub *microdot.App)
	}{
		{"Route", func(sub *microdot.App) { sub.Route("/late", h) }},
		{"Get", func(sub *microdot.App) { sub.Get("/late", h) }},
		{"Post", func(sub *microdot.App) { sub.Post("/late", h) }},
		{"BeforeRequest", func(sub *microdot.App) {
			sub.BeforeRequest(func(*microdot.Request) (*microdot.Response, error) { return nil, nil })
		}},
		{"AfterRequest", func(sub *microdot.App) {
			sub.AfterRequest(func(*microdot.Request, *microdot.Response) *microdot.Response { return nil })
		}},
		{"AfterErrorRequest", func(sub *microdot.App) {
			sub.AfterErrorRequest(func(*microdot.Request, *microdot.Response) *microdot.Response { return nil })
		}},
		{"OptionsHandler", func(sub *microdot.App) {
			sub.OptionsHandler(func(*microdot.Request, *microdot.Response) bool { return false })
		}},
		{"ErrorHandler", func(sub *microdot.App) {
			sub.ErrorHandler(404, func(*microdot.Request, error) (*microdot.Response, error) { return nil, nil })
		}},
		{"HandleError", func(sub *microdot.App) {
			microdot.HandleError(sub, func(*microdot.Request, *valueError) (*microdot.Response, error) { return nil, nil })
		}},
		{"Converter", func(sub *microdot.App) { sub.Converter("hex", microdot.Converter{Pattern: "[0-9a-f]+"}) }},
		{"Mount it again", func(sub *microdot.App) { microdot.New().Mount("/again", sub) }},
		{"MountLocal it again", func(sub *microdot.App) { microdot.New().MountLocal("/again", sub) }},
		{"Mount into it", func(sub *microdot.App) { sub.Mount("/inner", microdot.New()) }},
		{"MountHandler into it", func(sub *microdot.App) { sub.MountHandler("/h", http.NotFoundHandler()) }},
	}
	for _, tt := range tests {
		for _, local := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/local=%v", tt.name, local), func(t *testing.T) {
				sub := microdot.New()
				sub.Get("/x", h)
				app := microdot.New()
				if local {
					app.MountLocal("/sub", sub)
				} else {
					app.Mount("/sub", sub)
				}
				msg, panicked := panicMessage(func() { tt.f(sub) })
				require.True(t, panicked, "registering on a mounted App must panic, not be silently ignored")
				assert.True(t, strings.HasPrefix(msg, "microdot:"), msg)
			})
		}
	}
}

func TestMountArguments(t *testing.T) {
	for _, prefix := range []string{"api", "/api/", "/<x>", "/:x", "/*x", "/a?b"} {
		msg, panicked := panicMessage(func() { microdot.New().Mount(prefix, microdot.New()) })
		if assert.True(t, panicked, "prefix %q", prefix) {
			assert.True(t, strings.HasPrefix(msg, "microdot:"), msg)
		}
	}
	_, panicked := panicMessage(func() { microdot.New().Mount("/x", nil) })
	assert.True(t, panicked, "nil sub-app")
	self := microdot.New()
	_, panicked = panicMessage(func() { self.Mount("/x", self) })
	assert.True(t, panicked, "an App mounted into itself")

	t.Run("empty prefix", func(t *testing.T) {
		sub := microdot.New()
		sub.Get("/x", text("x"))
		app := microdot.New()
		app.Mount("", sub)
		assert.Equal(t, "x", microdot.NewTestClient(app).Get("/x").Text())
	})

	t.Run("routes of the sub-app sit beside the App's", func(t *testing.T) {
		sub := microdot.New()
		sub.Get("/<id>", text("sub id"))
		sub.Get("/new", text("sub new"))
		sub.Post("/<id>", text("sub post"))
		app := microdot.New()
		app.Get("/users", text("app users"))
		app.Mount("/users", sub)
		c := microdot.NewTestClient(app)
		assert.Equal(t, "app users", c.Get("/users").Text())
		assert.Equal(t, "sub new", c.Get("/users/new").Text())
		assert.Equal(t, "sub id", c.Get("/users/7").Text())
		assert.Equal(t, "sub post", c.Post("/users/7", nil).Text())
		assert.Equal(t, "GET, POST, HEAD, OPTIONS", c.Delete("/users/7").Header.Get("Allow"))
	})

	t.Run("the sub-app's converter wins a name clash", func(t *testing.T) {
		sub := microdot.New()
		sub.Converter("code", microdot.Converter{Pattern: "[A-Z]+"})
		sub.Get("/<code:c>", text("sub code"))
		app := microdot.New()
		app.Converter("code", microdot.Converter{Pattern: "[0-9]+"})
		app.Get("/<code:c>", text("app code"))
		app.Mount("/s", sub)
		c := microdot.NewTestClient(app)
		assert.Equal(t, "sub code", c.Get("/s/AB").Text())
		assert.Equal(t, 404, c.Get("/s/12").StatusCode)
		assert.Equal(t, "app code", c.Get("/12").Text())
	})

	t.Run("a sub-app's converters", func(t *testing.T) {
		sub := microdot.New()
		sub.Converter("hex", microdot.Converter{Pattern: "[0-9a-f]+"})
		sub.Get("/<hex:n>", text("hex"))
		app := microdot.New()
		require.NotPanics(t, func() { app.Mount("/h", sub) })
		c := microdot.NewTestClient(app)
		assert.Equal(t, "hex", c.Get("/h/ff").Text())
		assert.Equal(t, 404, c.Get("/h/zz").StatusCode)
	})
}

func TestMountHandler(t *testing.T) {
	plain := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Plain", "1")
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %q %s", r.Method, r.URL.Path, body)
	})
	app := microdot.New()
	app.MountHandler("/legacy", plain)
	app.Get("/legacyfoo", text("app route"))
	other := microdot.New()
	other.Get("/hello", text("hello from another App"))
	app.MountHandler("/other", other)
	c := microdot.NewTestClient(app)

	tests := []struct {
		method, path string
		body         string
		status       int
		want         string
	}{
		{"GET", "/legacy/x/y", "", 200, `GET "/x/y" `},
		{"GET", "/legacy", "", 200, `GET "" `},
		{"GET", "/legacy/", "", 200, `GET "/" `},
		{"POST", "/legacy/items", "data", 200, `POST "/items" data`},
		{"DELETE", "/legacy/items/1", "", 200, `DELETE "/items/1" `},
		{"OPTIONS", "/legacy/x", "", 200, `OPTIONS "/x" `},
		{"PUT", "/legacy/x", "p", 200, `PUT "/x" p`},
		{"GET", "/legacyfoo", "", 200, "app route"},
		{"GET", "/other/hello", "", 200, "hello from another App"},
		{"GET", "/other/missing", "", 404, "Not Found"},
		{"TRACE", "/legacy/x", "", 405, "Method Not Allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			res := c.Request(tt.method, tt.path, body)
			assert.Equal(t, tt.status, res.StatusCode)
			assert.Equal(t, tt.want, res.Text())
		})
	}

	t.Run("over a real connection", func(t *testing.T) {
		srv := startServer(t, app)
		hc := client(t)
		for path, want := range map[string]string{
			"/legacy/x/y":  `GET "/x/y" `,
			"/legacy":      `GET "" `,
			"/other/hello": "hello from another App",
		} {
			res, err := hc.Get(srv.URL + path)
			require.NoError(t, err)
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			assert.Equal(t, want, string(body), path)
		}
	})

	t.Run("HEAD reaches the handler", func(t *testing.T) {
		w := record(app, "HEAD", "/legacy/x", nil)
		assert.Equal(t, 200, w.Code)
		assert.Equal(t, "1", w.Header().Get("X-Plain"))
	})

	t.Run("the App's hooks apply to it", func(t *testing.T) {
		// BeforeRequest hooks run first and may answer in its place;
		// AfterRequest hooks run before the handler writes, so their
		// headers are in its response.
		app := microdot.New()
		var tr trace
		app.BeforeRequest(func(req *microdot.Request) (*microdot.Response, error) {
			tr.add("before")
			if req.Header.Get("X-Deny") != "" {
				return microdot.Text("denied").WithStatus(http.StatusForbidden), nil
			}
			return nil, nil
		})
		app.AfterRequest(func(req *microdot.Request, res *microdot.Response) *microdot.Response {
			tr.add("after")
			res.Header.Set("X-After", "1")
			return nil
		})
		app.MountHandler("/legacy", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			tr.add("handler")
			io.WriteString(w, "legacy "+w.Header().Get("X-After"))
		}))
		c := microdot.NewTestClient(app)

		res := c.Get("/legacy/x")
		assert.Equal(t, 200, res.StatusCode)
		assert.Equal(t, "legacy 1", res.Text(), "the AfterRequest header is in place when the handler starts")
		assert.Equal(t, "1", res.Header.Get("X-After"))
		assert.Equal(t, "before after handler", tr.String())

		tr.reset()
		res = c.Get("/legacy/x", "X-Deny", "1")
		assert.Equal(t, http.StatusForbidden, res.StatusCode)
		assert.Equal(t, "denied", res.Text())
		assert.Equal(t, "before after", tr.String(), "a BeforeRequest answer replaces the handler")
	})

	t.Run("invalid arguments panic", func(t *testing.T) {
		for _, prefix := range []string{"", "legacy", "/legacy/"} {
			_, panicked := panicMessage(func() { microdot.New().MountHandler(prefix, plain) })
			assert.True(t, panicked, "prefix %q", prefix)
		}
		_, panicked := panicMessage(func() { microdot.New().MountHandler("/x", nil) })
		assert.True(t, panicked, "nil handler")
	})
}

// TestOptionsHandlerOfSubApps: Mount hands a sub-app's OptionsHandler
// functions to the App; with MountLocal they answer only for paths that one
// of the sub-app's routes matches, after the App's own.
func TestOptionsHandlerOfSubApps(t *testing.T) {
	for _, local := range []bool{true, false} {
		t.Run(fmt.Sprintf("local=%v", local), func(t *testing.T) {
			var tr trace
			app := microdot.New()
			app.OptionsHandler(func(req *microdot.Request, res *microdot.Response) bool {
				tr.add("app")
				return false
			})
			app.Get("/own", text("own"))
			sub := microdot.New()
			sub.OptionsHandler(func(req *microdot.Request, res *microdot.Response) bool {
				allow := req.Allow()
				tr.add("sub")
				res.Header.Set("X-Sub", "allow="+strings.Join(allow, ","))
				return true
			})
			sub.AfterErrorRequest(func(req *microdot.Request, res *microdot.Response) *microdot.Response {
				tr.add("sub-after-error")
				return nil
			})
			sub.Route("/items", text("items"), "GET", "POST")
			if local {
				app.MountLocal("/api", sub)
			} else {
				app.Mount("/api", sub)
			}
			c := microdot.NewTestClient(app)

			res := c.Options("/api/items")
			assert.Equal(t, http.StatusNoContent, res.StatusCode)
			assert.Equal(t, "allow=GET,POST,HEAD", res.Header.Get("X-Sub"))
			assert.Equal(t, "app sub sub-after-error", tr.String())

			for _, path := range []string{"/own", "/unknown"} {
				tr.reset()
				res = c.Options(path)
				if local {
					assert.Empty(t, res.Header.Get("X-Sub"), path)
					assert.Equal(t, "app", tr.String(), path)
				} else {
					assert.NotEmpty(t, res.Header.Get("X-Sub"), "%s: moved app-wide", path)
					assert.Equal(t, "app sub sub-after-error", tr.String(), path)
				}
			}
		})
	}
}
