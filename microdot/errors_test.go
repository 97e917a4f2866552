package microdot_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/microdot-go/microdot/microdot"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAbort ports test_abort and test_abort_handler. Microdot's default
// body for abort(status) is "<status> error"; the App sends the status text.
func TestAbort(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
		body   string
	}{
		{"with reason", microdot.Abort(406, "Not acceptable"), 406, "Not acceptable"},
		{"without reason", microdot.Abort(406), 406, "Not Acceptable"},
		{"5xx", microdot.Abort(503, "later"), 503, "later"},
		{"unknown status", microdot.Abort(499), 499, "499 error"},
		{"not an error status", microdot.Abort(200, "ok?"), 500, "Internal Server Error"},
		{"redirect status", microdot.Abort(302), 500, "Internal Server Error"},
		{"wrapped", fmt.Errorf("context: %w", microdot.Abort(409, "conflict")), 409, "conflict"},
		{"HTTPError literal", &microdot.HTTPError{Status: 400, Reason: "bad", Err: io.EOF}, 400, "bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := quietApp()
			app.Get("/", func(req *microdot.Request) (*microdot.Response, error) { return nil, tt.err })
			res := microdot.NewTestClient(app).Get("/")
			assert.Equal(t, tt.status, res.StatusCode)
			assert.Equal(t, tt.body, res.Text())
			assert.Equal(t, "text/plain; charset=utf-8", res.Header.Get("Content-Type"))
		})
	}

	t.Run("error value", func(t *testing.T) {
		err := microdot.Abort(404, "no such user")
		var he *microdot.HTTPError
		require.ErrorAs(t, err, &he)
		assert.Equal(t, 404, he.Status)
		assert.Equal(t, "no such user", he.Reason)
		assert.Contains(t, err.Error(), "404")
		assert.Contains(t, err.Error(), "no such user")
		wrapped := &microdot.HTTPError{Status: 400, Err: io.ErrUnexpectedEOF}
		assert.ErrorIs(t, wrapped, io.ErrUnexpectedEOF)
	})
}

// TestErrorHandlerByStatus ports test_404_handler, test_405_handler,
// test_413_handler, test_500_handler and test_abort_handler. As in
// Microdot, the status is whatever the handler's response says: a 404
// handler returning Text gives 200.
func TestErrorHandlerByStatus(t *testing.T) {
	handler := func(body string, status int) microdot.ErrorHandler {
		return func(req *microdot.Request, err error) (*microdot.Response, error) {
			res := microdot.Text(body)
			if status != 0 {
				res.WithStatus(status)
			}
			return res, nil
		}
	}
	tests := []struct {
		name         string
		status       int
		h            microdot.ErrorHandler
		method, path string
		body         string
		wantStatus   int
		wantBody     string
	}{
		{"404 keeps the handler's 200", 404, handler("404", 0), "POST", "/foo", "", 200, "404"},
		{"404 with a status", 404, handler("gone", 410), "GET", "/foo", "", 410, "gone"},
		{"405", 405, handler("405", 405), "PATCH", "/", "", 405, "405"},
		{"413", 413, handler("413", 400), "POST", "/foo", strings.Repeat("x", 17000), 400, "413"},
		{"500 after a panic", 500, handler("501", 501), "GET", "/panic", "", 501, "501"},
		{"500 after an error", 500, handler("501", 501), "GET", "/error", "", 501, "501"},
		{"Abort's status", 406, handler("406", 406), "GET", "/abort", "", 406, "406"},
		{"another status is not handled", 404, handler("404", 0), "GET", "/abort", "", 406, "Not Acceptable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := quietApp()
			app.MaxBodyBytes = 16 * 1024 // Microdot's limit, for test_413
			app.Get("/", text("foo"))
			app.Get("/panic", func(req *microdot.Request) (*microdot.Response, error) {
				var m map[string]int
				//lint:ignore SA5000 the panic is the point: a runtime error, like Microdot's 1/0
				m["x"] = 1
				return nil, nil
			})
			app.Get("/error", func(req *microdot.Request) (*microdot.Response, error) { return nil, errors.New("x") })
			app.Get("/abort", func(req *microdot.Request) (*microdot.Response, error) { return nil, microdot.Abort(406) })
			app.ErrorHandler(tt.status, tt.h)
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			res := microdot.NewTestClient(app).Request(tt.method, tt.path, body)
			assert.Equal(t, tt.wantStatus, res.StatusCode)
			assert.Equal(t, tt.wantBody, res.Text())
			assert.Equal(t, "text/plain; charset=utf-8", res.Header.Get("Content-Type"))
		})
	}

	t.Run("the handler receives the error", func(t *testing.T) {
		var got []error
		app := quietApp()
		record := func(req *microdot.Request, err error) (*microdot.Response, error) {
			got = append(got, err)
			return microdot.Text("handled").WithStatus(599), nil
		}
		for _, s := range []int{404, 405, 413, 406, 500} {
			app.ErrorHandler(s, record)
		}
		app.MaxBodyBytes = 1
		app.Get("/abort", func(req *microdot.Request) (*microdot.Response, error) {
			return nil, microdot.Abort(406, "why")
		})
		app.Get("/panic", func(req *microdot.Request) (*microdot.Response, error) { panic("boom") })
		c := microdot.NewTestClient(app)
		c.Get("/missing")
		c.Delete("/abort")
		c.Post("/abort", "too large")
		c.Get("/abort")
		c.Get("/panic")
		require.Len(t, got, 5)
		for i, status := range []int{404, 405, 413, 406} {
			var he *microdot.HTTPError
			if assert.ErrorAs(t, got[i], &he, "error %d", i) {
				assert.Equal(t, status, he.Status)
			}
		}
		var he *microdot.HTTPError
		require.ErrorAs(t, got[3], &he)
		assert.Equal(t, "why", he.Reason)
		var pe *microdot.PanicError
		if assert.ErrorAs(t, got[4], &pe) {
			assert.Equal(t, "boom", pe.Value)
		}
	})

	t.Run("405 handler keeps Allow", func(t *testing.T) {
		app := microdot.New()
		app.Get("/foo", text("foo"))
		app.ErrorHandler(405, handler("405", 405))
		res := microdot.NewTestClient(app).Patch("/foo", nil)
		assert.Equal(t, 405, res.StatusCode)
		assert.Equal(t, "GET, HEAD, OPTIONS", res.Header.Get("Allow"))
	})

	t.Run("invalid status panics", func(t *testing.T) {
		for _, s := range []int{0, 200, 302, 399, 600} {
			_, panicked := panicMessage(func() { microdot.New().ErrorHandler(s, handler("x", 0)) })
			assert.True(t, panicked, "status %d", s)
		}
	})
}

type lookupError struct{ key string }

func (e *lookupError) Error() string { return "lookup " + e.key }

type indexError struct{ i int }

func (e *indexError) Error() string { return fmt.Sprintf("index %d", e.i) }
func (e *indexError) Unwrap() error { return &lookupError{key: fmt.Sprint(e.i)} }

type timeoutError struct{}

func (timeoutError) Error() string { return "timed out" }
func (timeoutError) Timeout() bool { return true }

// asError converts itself into a *lookupError through an As method.
type asError struct{}

func (asError) Error() string { return "as" }
func (asError) As(target any) bool {
	if p, ok := target.(**lookupError); ok {
		*p = &lookupError{key: "from As"}
		return true
	}
	return false
}

type runtimeError struct{}

func (runtimeError) Error() string { return "runtime" }

// TestHandleErrorByType ports test_exception_handler*: the nearest match
// along the error chain wins (Microdot walks the MRO; the App walks the
// chain as errors.As does).
func TestHandleErrorByType(t *testing.T) {
	byName := func(name string) func(req *microdot.Request, err error) (*microdot.Response, error) {
		return func(req *microdot.Request, err error) (*microdot.Response, error) {
			return microdot.Text(name + ": " + err.Error()).WithStatus(501), nil
		}
	}
	lookup := func(app *microdot.App) {
		microdot.HandleError(app, func(req *microdot.Request, err *lookupError) (*microdot.Response, error) {
			return byName("lookup")(req, err)
		})
	}
	index := func(app *microdot.App) {
		microdot.HandleError(app, func(req *microdot.Request, err *indexError) (*microdot.Response, error) {
			return byName("index")(req, err)
		})
	}
	anyErr := func(app *microdot.App) {
		microdot.HandleError(app, func(req *microdot.Request, err error) (*microdot.Response, error) {
			return byName("any")(req, err)
		})
	}
	runtime := func(app *microdot.App) {
		microdot.HandleError(app, func(req *microdot.Request, err runtimeError) (*microdot.Response, error) {
			return byName("runtime")(req, err)
		})
	}
	timeout := func(app *microdot.App) {
		microdot.HandleError(app, func(req *microdot.Request, err interface {
			error
			Timeout() bool
		}) (*microdot.Response, error) {
			return byName("timeout")(req, err)
		})
	}
	tests := []struct {
		name     string
		register []func(*microdot.App)
		err      error
		status   int
		body     string
	}{
		{"exact type", []func(*microdot.App){index}, &indexError{1}, 501, "index: index 1"},
		{"parent: a wrapped cause", []func(*microdot.App){lookup}, &indexError{1}, 501, "lookup: lookup 1"},
		{"redundant parent: the nearest wins", []func(*microdot.App){lookup, index}, &indexError{1}, 501, "index: index 1"},
		{"redundant parent, other order", []func(*microdot.App){index, lookup}, &indexError{1}, 501, "index: index 1"},
		{"specific registered before generic", []func(*microdot.App){lookup, anyErr}, &lookupError{"k"}, 501, "lookup: lookup k"},
		{"generic handler takes the rest", []func(*microdot.App){lookup, anyErr}, runtimeError{}, 501, "any: runtime"},
		{"no viable handler", []func(*microdot.App){runtime}, &indexError{1}, 500, "Internal Server Error"},
		{"fmt.Errorf %w", []func(*microdot.App){lookup}, fmt.Errorf("get: %w", &lookupError{"k"}), 501, "lookup: lookup k"},
		{"fmt.Errorf %w twice", []func(*microdot.App){index, lookup},
			fmt.Errorf("outer: %w", fmt.Errorf("inner: %w", &indexError{2})), 501, "index: index 2"},
		{"errors.Join: first in the chain", []func(*microdot.App){lookup, runtime},
			errors.Join(runtimeError{}, &lookupError{"k"}), 501, "runtime: runtime"},
		{"errors.Join: only the second matches", []func(*microdot.App){lookup},
			errors.Join(errors.New("x"), &lookupError{"k"}), 501, "lookup: lookup k"},
		{"errors.Join: depth-first", []func(*microdot.App){lookup, runtime},
			errors.Join(&indexError{3}, runtimeError{}), 501, "lookup: lookup 3"},
		{"value type", []func(*microdot.App){runtime}, fmt.Errorf("w: %w", runtimeError{}), 501, "runtime: runtime"},
		{"interface type", []func(*microdot.App){timeout}, fmt.Errorf("w: %w", timeoutError{}), 501, "timeout: timed out"},
		{"As method", []func(*microdot.App){lookup}, fmt.Errorf("w: %w", asError{}), 501, "lookup: lookup from As"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := quietApp()
			for _, r := range tt.register {
				r(app)
			}
			app.Get("/", func(req *microdot.Request) (*microdot.Response, error) { return nil, tt.err })
			res := microdot.NewTestClient(app).Get("/")
			assert.Equal(t, tt.status, res.StatusCode)
			assert.Equal(t, tt.body, res.Text())
		})
	}

	t.Run("a type handler is tried before a status handler", func(t *testing.T) {
		app := microdot.New()
		app.ErrorHandler(418, func(req *microdot.Request, err error) (*microdot.Response, error) {
			return microdot.Text("by status"), nil
		})
		microdot.HandleError(app, func(req *microdot.Request, err *microdot.HTTPError) (*microdot.Response, error) {
			return microdot.Text(fmt.Sprintf("by type %d", err.Status)).WithStatus(err.Status), nil
		})
		app.Get("/", func(req *microdot.Request) (*microdot.Response, error) { return nil, microdot.Abort(418) })
		res := microdot.NewTestClient(app).Get("/")
		assert.Equal(t, 418, res.StatusCode)
		assert.Equal(t, "by type 418", res.Text())
	})

	t.Run("sub-app handler before app handler", func(t *testing.T) {
		app := microdot.New()
		microdot.HandleError(app, func(req *microdot.Request, err *lookupError) (*microdot.Response, error) {
			return microdot.Text("app").WithStatus(400), nil
		})
		sub := microdot.New()
		microdot.HandleError(sub, func(req *microdot.Request, err *lookupError) (*microdot.Response, error) {
			return microdot.Text("sub").WithStatus(400), nil
		})
		fail := func(req *microdot.Request) (*microdot.Response, error) { return nil, &lookupError{"k"} }
		sub.Get("/x", fail)
		app.Get("/x", fail)
		app.MountLocal("/sub", sub)
		c := microdot.NewTestClient(app)
		assert.Equal(t, "sub", c.Get("/sub/x").Text())
		assert.Equal(t, "app", c.Get("/x").Text())
	})

	t.Run("sub-app status handler before app status handler", func(t *testing.T) {
		app := microdot.New()
		app.ErrorHandler(409, func(req *microdot.Request, err error) (*microdot.Response, error) {
			return microdot.Text("app").WithStatus(409), nil
		})
		sub := microdot.New()
		sub.ErrorHandler(409, func(req *microdot.Request, err error) (*microdot.Response, error) {
			return microdot.Text("sub").WithStatus(409), nil
		})
		fail := func(req *microdot.Request) (*microdot.Response, error) { return nil, microdot.Abort(409) }
		sub.Get("/x", fail)
		app.Get("/x", fail)
		app.MountLocal("/sub", sub)
		c := microdot.NewTestClient(app)
		assert.Equal(t, "sub", c.Get("/sub/x").Text())
		assert.Equal(t, "app", c.Get("/x").Text())
	})

	t.Run("a handled error is not logged as a failure", func(t *testing.T) {
		// Logger receives "errors that become 500 responses"; this one
		// became a 404 through its type handler.
		app, logs := loggedApp()
		microdot.HandleError(app, func(req *microdot.Request, err *lookupError) (*microdot.Response, error) {
			return microdot.Text("not here").WithStatus(404), nil
		})
		app.Get("/", func(req *microdot.Request) (*microdot.Response, error) { return nil, &lookupError{"needle"} })
		res := microdot.NewTestClient(app).Get("/")
		require.Equal(t, 404, res.StatusCode)
		assert.NotContains(t, logs.String(), "needle")
	})

	t.Run("nil handler panics", func(t *testing.T) {
		_, panicked := panicMessage(func() {
			microdot.HandleError[*lookupError](microdot.New(), nil)
		})
		assert.True(t, panicked)
	})
}

// TestFailingErrorHandler: an error handler that fails gives a plain 500,
// never a crash, and the plain 500 does not go to the 500 handler again.
func TestFailingErrorHandler(t *testing.T) {
	tests := []struct {
		name string
		h    microdot.ErrorHandler
		log  string
	}{
		{"returns an error", func(req *microdot.Request, err error) (*microdot.Response, error) {
			return nil, errors.New("handler failed")
		}, "handler failed"},
		{"returns nil, nil", func(req *microdot.Request, err error) (*microdot.Response, error) {
			return nil, nil
		}, "error handler"},
		{"panics", func(req *microdot.Request, err error) (*microdot.Response, error) {
			panic("handler panicked")
		}, "handler panicked"},
		{"returns an unencodable JSON response", func(req *microdot.Request, err error) (*microdot.Response, error) {
			return microdot.JSON(make(chan int)), nil
		}, "json"},
	}
	for _, tt := range tests {
		for _, status := range []int{404, 500} {
			t.Run(fmt.Sprintf("%s/%d", tt.name, status), func(t *testing.T) {
				app, logs := loggedApp()
				app.ErrorHandler(status, tt.h)
				if status != 500 {
					app.ErrorHandler(500, func(req *microdot.Request, err error) (*microdot.Response, error) {
						return microdot.Text("the 500 handler"), nil
					})
				}
				app.Get("/fail", func(req *microdot.Request) (*microdot.Response, error) { return nil, errors.New("x") })
				c := microdot.NewTestClient(app)
				path := "/missing"
				if status == 500 {
					path = "/fail"
				}
				res := c.Get(path)
				assert.Equal(t, 500, res.StatusCode)
				assert.Equal(t, "Internal Server Error", res.Text())
				assert.Contains(t, strings.ToLower(logs.String()), strings.ToLower(tt.log))
				app.Get("/ok", text("ok"))
				assert.Equal(t, "ok", c.Get("/ok").Text(), "the App keeps serving")
			})
		}
	}
}

// TestPanicBecomes500 ports test_500: a panic anywhere becomes a 500,
// logged through the App's Logger with its stack, and the App keeps serving.
func TestPanicBecomes500(t *testing.T) {
	// panicOnErrors installs an AfterErrorRequest hook that panics on "/".
	panicOnErrors := func(app *microdot.App) {
		app.AfterErrorRequest(func(req *microdot.Request, _ *microdot.Response) *microdot.Response {
			if req.URL.Path == "/" {
				panic("after error boom")
			}
			return nil
		})
	}
	tests := []struct {
		name  string
		setup func(app *microdot.App)
	}{
		{"handler", func(app *microdot.App) {
			app.Get("/", func(req *microdot.Request) (*microdot.Response, error) { panic("handler boom") })
		}},
		{"BeforeRequest", func(app *microdot.App) {
			app.BeforeRequest(func(req *microdot.Request) (*microdot.Response, error) {
				if req.URL.Path == "/" {
					panic("before boom")
				}
				return nil, nil
			})
			app.Get("/", text("not reached"))
		}},
		{"AfterRequest", func(app *microdot.App) {
			app.AfterRequest(func(req *microdot.Request, res *microdot.Response) *microdot.Response {
				if req.URL.Path == "/" {
					panic("after boom")
				}
				return nil
			})
			app.Get("/", text("not sent"))
		}},
		{"request AfterRequest", func(app *microdot.App) {
			app.Get("/", func(req *microdot.Request) (*microdot.Response, error) {
				req.AfterRequest(func(*microdot.Request, *microdot.Response) *microdot.Response { panic("req after boom") })
				return microdot.Text("not sent"), nil
			})
		}},
		{"AfterErrorRequest", func(app *microdot.App) {
			panicOnErrors(app)
			app.Get("/", func(req *microdot.Request) (*microdot.Response, error) { return nil, microdot.Abort(400) })
		}},
		{"AfterErrorRequest after a handler panic", func(app *microdot.App) {
			app.AfterErrorRequest(func(*microdot.Request, *microdot.Response) *microdot.Response { panic("after error boom") })
			app.Get("/", func(req *microdot.Request) (*microdot.Response, error) { panic("handler boom") })
		}},
		{"AfterErrorRequest on a 404", func(app *microdot.App) {
			panicOnErrors(app)
		}},
		{"AfterErrorRequest on a 413", func(app *microdot.App) {
			app.MaxBodyBytes = 1
			panicOnErrors(app)
			app.Post("/", text("not reached"))
		}},
		{"AfterErrorRequest on the automatic OPTIONS reply", func(app *microdot.App) {
			panicOnErrors(app)
			app.Get("/", text("x"))
		}},
		{"OptionsHandler", func(app *microdot.App) {
			app.OptionsHandler(func(req *microdot.Request, res *microdot.Response) bool {
				if req.Method == "GET" || req.URL.Path == "/" {
					panic("options boom")
				}
				return false
			})
			app.Get("/", text("x"))
		}},
		{"converter", func(app *microdot.App) {
			app.Converter("bad", microdot.Converter{Parse: func(s string) (any, error) {
				if s == "boom" {
					panic("converter boom")
				}
				return s, nil
			}})
			app.Get("/<bad:x>", text("x"))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, logs := loggedApp()
			tt.setup(app)
			app.Get("/ok", text("ok"))
			c := microdot.NewTestClient(app)
			method, path := "GET", "/"
			var body any
			switch tt.name {
			case "OptionsHandler", "AfterErrorRequest on the automatic OPTIONS reply":
				method = "OPTIONS"
			case "converter":
				path = "/boom"
			case "AfterErrorRequest on a 413":
				method, body = "POST", "too long"
			}
			var res *microdot.TestResponse
			require.NotPanics(t, func() { res = c.Request(method, path, body) })
			assert.Equal(t, 500, res.StatusCode)
			assert.Equal(t, "Internal Server Error", res.Text())
			log := logs.String()
			assert.Contains(t, log, "boom", "the panic value is logged")
			assert.Contains(t, log, "errors_test.go", "the stack is logged")
			assert.Contains(t, log, `"level":"ERROR"`)
			assert.Equal(t, "ok", c.Get("/ok").Text(), "the App keeps serving")
		})
	}

	t.Run("over a real connection the server keeps serving", func(t *testing.T) {
		app := quietApp()
		app.Get("/panic", func(req *microdot.Request) (*microdot.Response, error) { panic("boom") })
		app.Get("/ok", text("ok"))
		srv := startServer(t, app)
		hc := client(t)
		for i := 0; i < 3; i++ {
			res, err := hc.Get(srv.URL + "/panic")
			require.NoError(t, err)
			res.Body.Close()
			assert.Equal(t, 500, res.StatusCode)
			res, err = hc.Get(srv.URL + "/ok")
			require.NoError(t, err)
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			assert.Equal(t, "ok", string(body))
		}
	})

	t.Run("http.ErrAbortHandler is passed on to the server", func(t *testing.T) {
		app := quietApp()
		app.Get("/", func(req *microdot.Request) (*microdot.Response, error) { panic(http.ErrAbortHandler) })
		assert.PanicsWithValue(t, http.ErrAbortHandler, func() {
			app.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
		})
	})
}

func TestErrorsBecome500WithoutLeakingDetails(t *testing.T) {
	app, logs := loggedApp()
	app.Get("/", func(req *microdot.Request) (*microdot.Response, error) {
		return nil, errors.New("database password is hunter2")
	})
	res := microdot.NewTestClient(app).Get("/")
	assert.Equal(t, 500, res.StatusCode)
	assert.Equal(t, "Internal Server Error", res.Text())
	assert.Contains(t, logs.String(), "hunter2", "the error is logged")
}

func TestMaxBytesErrorBecomes413(t *testing.T) {
	for name, err := range map[string]error{
		"direct":  &http.MaxBytesError{Limit: 5},
		"wrapped": fmt.Errorf("reading: %w", &http.MaxBytesError{Limit: 5}),
	} {
		t.Run(name, func(t *testing.T) {
			app := quietApp()
			app.Post("/", func(req *microdot.Request) (*microdot.Response, error) { return nil, err })
			res := microdot.NewTestClient(app).Post("/", "x")
			assert.Equal(t, http.StatusRequestEntityTooLarge, res.StatusCode)
		})
	}
	t.Run("413 handler", func(t *testing.T) {
		app := quietApp()
		app.ErrorHandler(413, func(req *microdot.Request, err error) (*microdot.Response, error) {
			return microdot.Text("too big").WithStatus(413), nil
		})
		app.Post("/", func(req *microdot.Request) (*microdot.Response, error) {
			return nil, &http.MaxBytesError{Limit: 5}
		})
		res := microdot.NewTestClient(app).Post("/", "x")
		assert.Equal(t, 413, res.StatusCode)
		assert.Equal(t, "too big", res.Text())
	})
}

// At one link of the error chain, a handler for exactly the error's type
// beats one for an interface it implements, whatever the registration order.
func TestHandleErrorExactTypeFirst(t *testing.T) {
	app := microdot.New()
	microdot.HandleError(app, func(_ *microdot.Request, err error) (*microdot.Response, error) {
		return microdot.Text("any error").WithStatus(500), nil
	})
	microdot.HandleError(app, func(_ *microdot.Request, err *os.PathError) (*microdot.Response, error) {
		return microdot.Text("path error").WithStatus(404), nil
	})
	app.Get("/path", func(*microdot.Request) (*microdot.Response, error) {
		return nil, fmt.Errorf("wrapped: %w", &os.PathError{Op: "open", Path: "x", Err: os.ErrNotExist})
	})
	app.Get("/other", func(*microdot.Request) (*microdot.Response, error) { return nil, errors.New("boom") })
	c := microdot.NewTestClient(app)
	// The wrapper (a *fmt.wrapError) is the nearest link and only the error
	// handler matches it: nearest wins over exact.
	res := c.Get("/path")
	assert.Equal(t, 500, res.StatusCode)
	assert.Equal(t, "any error", res.Text())
	app2 := microdot.New()
	microdot.HandleError(app2, func(_ *microdot.Request, err error) (*microdot.Response, error) {
		return microdot.Text("any error").WithStatus(500), nil
	})
	microdot.HandleError(app2, func(_ *microdot.Request, err *os.PathError) (*microdot.Response, error) {
		return microdot.Text("path error").WithStatus(404), nil
	})
	app2.Get("/path", func(*microdot.Request) (*microdot.Response, error) {
		return nil, &os.PathError{Op: "open", Path: "x", Err: os.ErrNotExist}
	})
	res = microdot.NewTestClient(app2).Get("/path")
	assert.Equal(t, 404, res.StatusCode, "the exact type's handler, though registered later")
	assert.Equal(t, "path error", res.Text())
	assert.Equal(t, "any error", c.Get("/other").Text())
}
