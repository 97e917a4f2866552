package microdot_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"

	"github.com/microdot-go/microdot/microdot"
)

func Example() {
	users := map[int]string{1: "Ada", 2: "Grace"}

	app := microdot.New()
	app.Get("/users/<int:id>", func(req *microdot.Request) (*microdot.Response, error) {
		id, _ := req.ParamInt("id")
		name, ok := users[id]
		if !ok {
			return nil, microdot.Abort(404, "no such user")
		}
		return microdot.JSON(map[string]any{"id": id, "name": name}), nil
	})

	// app.Run(":8080") would serve it; a TestClient drives it in memory.
	c := microdot.NewTestClient(app)
	for _, path := range []string{"/users/1", "/users/3", "/users/abc"} {
		res := c.Get(path)
		fmt.Println(res.StatusCode, res.Text())
	}
	// Output:
	// 200 {"id":1,"name":"Ada"}
	// 404 no such user
	// 404 Not Found
}

func ExampleApp_Route() {
	app := microdot.New()
	// A static route and a parameter route may share a position.
	app.Get("/users/new", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Text("the new-user form"), nil
	})
	app.Get("/users/<name>", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Text("user " + req.PathValue("name")), nil
	})
	// Several methods, and httprouter's syntax.
	app.Route("/items/:id", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Text(req.Method + " item " + req.PathValue("id")), nil
	}, "GET", "PUT")

	c := microdot.NewTestClient(app)
	fmt.Println(c.Get("/users/new").Text())
	fmt.Println(c.Get("/users/ada").Text())
	fmt.Println(c.Put("/items/7", nil).Text())
	res := c.Delete("/items/7")
	fmt.Println(res.StatusCode, res.Header.Get("Allow"))
	res = c.Options("/items/7")
	fmt.Println(res.StatusCode, res.Header.Get("Allow"))
	// Output:
	// the new-user form
	// user ada
	// PUT item 7
	// 405 GET, PUT, HEAD, OPTIONS
	// 204 GET, PUT, HEAD, OPTIONS
}

func ExampleApp_BeforeRequest() {
	app := microdot.New()
	app.BeforeRequest(func(req *microdot.Request) (*microdot.Response, error) {
		token := req.Header.Get("Authorization")
		if token != "Bearer secret" {
			return microdot.Text("who are you?").WithStatus(http.StatusUnauthorized), nil
		}
		req.Set("user", "ada")
		return nil, nil
	})
	app.Get("/me", func(req *microdot.Request) (*microdot.Response, error) {
		user, _ := req.Get("user")
		return microdot.Text(fmt.Sprint("hello ", user)), nil
	})

	c := microdot.NewTestClient(app)
	res := c.Get("/me")
	fmt.Println(res.StatusCode, res.Text())
	res = c.Get("/me", "Authorization", "Bearer secret")
	fmt.Println(res.StatusCode, res.Text())
	// Output:
	// 401 who are you?
	// 200 hello ada
}

func ExampleApp_AfterRequest() {
	app := microdot.New()
	// Security headers on every response, success or error.
	secure := func(req *microdot.Request, res *microdot.Response) *microdot.Response {
		res.Header.Set("X-Content-Type-Options", "nosniff")
		res.Header.Set("X-Frame-Options", "DENY")
		return nil
	}
	app.AfterRequest(secure)
	app.AfterErrorRequest(secure)
	app.Get("/", func(*microdot.Request) (*microdot.Response, error) { return microdot.Text("home"), nil })

	c := microdot.NewTestClient(app)
	for _, path := range []string{"/", "/missing"} {
		res := c.Get(path)
		fmt.Println(res.StatusCode, res.Header.Get("X-Content-Type-Options"), res.Header.Get("X-Frame-Options"))
	}
	// Output:
	// 200 nosniff DENY
	// 404 nosniff DENY
}

func ExampleApp_AfterErrorRequest() {
	app := microdot.New()
	// Together, AfterRequest and AfterErrorRequest see every response.
	tag := func(req *microdot.Request, res *microdot.Response) *microdot.Response {
		res.Header.Set("X-Served-By", "microdot")
		return nil
	}
	app.AfterRequest(tag)
	app.AfterErrorRequest(tag)
	app.Get("/", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Text("home"), nil
	})

	c := microdot.NewTestClient(app)
	for _, res := range []*microdot.TestResponse{c.Get("/"), c.Get("/missing"), c.Post("/", nil), c.Options("/")} {
		fmt.Println(res.StatusCode, res.Header.Get("X-Served-By"))
	}
	// Output:
	// 200 microdot
	// 404 microdot
	// 405 microdot
	// 204 microdot
}

func ExampleApp_ErrorHandler() {
	app := microdot.New()
	app.ErrorHandler(404, func(req *microdot.Request, err error) (*microdot.Response, error) {
		return microdot.Text("nothing at " + req.URL.Path).WithStatus(404), nil
	})
	app.ErrorHandler(500, func(req *microdot.Request, err error) (*microdot.Response, error) {
		return microdot.Text("sorry").WithStatus(500), nil
	})
	app.Get("/broken", func(req *microdot.Request) (*microdot.Response, error) {
		return nil, errors.New("disk on fire")
	})
	// The error behind a 500 is logged, not shown; keep this example quiet.
	app.Logger = slog.New(slog.DiscardHandler)

	c := microdot.NewTestClient(app)
	for _, path := range []string{"/nowhere", "/broken"} {
		res := c.Get(path)
		fmt.Println(res.StatusCode, res.Text())
	}
	// Output:
	// 404 nothing at /nowhere
	// 500 sorry
}

type NotFoundError struct{ What string }

func (e *NotFoundError) Error() string { return e.What + " not found" }

func ExampleHandleError() {
	app := microdot.New()
	microdot.HandleError(app, func(req *microdot.Request, err *NotFoundError) (*microdot.Response, error) {
		return microdot.JSON(map[string]string{"error": err.Error()}).WithStatus(404), nil
	})
	app.Get("/books/<int:id>", func(req *microdot.Request) (*microdot.Response, error) {
		id, _ := req.ParamInt("id")
		// The handler finds the nearest match along the error chain.
		return nil, fmt.Errorf("loading book: %w", &NotFoundError{What: "book " + strconv.Itoa(id)})
	})

	res := microdot.NewTestClient(app).Get("/books/42")
	fmt.Println(res.StatusCode, res.Text())
	// Output:
	// 404 {"error":"book 42 not found"}
}

func ExampleApp_Mount() {
	api := microdot.New()
	api.BeforeRequest(func(req *microdot.Request) (*microdot.Response, error) {
		req.Set("api", true)
		return nil, nil
	})
	api.Get("/status", func(req *microdot.Request) (*microdot.Response, error) {
		_, viaAPI := req.Get("api")
		return microdot.Text(fmt.Sprintf("ok (prefix %s, api hook %v)", req.MountPrefix(), viaAPI)), nil
	})

	app := microdot.New()
	app.Get("/", func(req *microdot.Request) (*microdot.Response, error) {
		_, viaAPI := req.Get("api")
		return microdot.Text(fmt.Sprintf("home (api hook %v)", viaAPI)), nil
	})
	// MountLocal keeps api's hooks to api's routes; Mount would apply them app-wide.
	app.MountLocal("/api/v1", api)

	c := microdot.NewTestClient(app)
	fmt.Println(c.Get("/api/v1/status").Text())
	fmt.Println(c.Get("/").Text())
	// Output:
	// ok (prefix /api/v1, api hook true)
	// home (api hook false)
}

func ExampleApp_Converter() {
	app := microdot.New()
	app.Converter("hex", microdot.Converter{
		Pattern: "[0-9a-fA-F]+",
		Parse:   func(s string) (any, error) { return strconv.ParseUint(s, 16, 32) },
	})
	app.Get("/color/<hex:rgb>", func(req *microdot.Request) (*microdot.Response, error) {
		rgb := req.Param("rgb").(uint64)
		return microdot.Text(fmt.Sprintf("r=%d g=%d b=%d", rgb>>16, rgb>>8&0xff, rgb&0xff)), nil
	})

	c := microdot.NewTestClient(app)
	fmt.Println(c.Get("/color/ff8000").Text())
	fmt.Println(c.Get("/color/orange").StatusCode)
	// Output:
	// r=255 g=128 b=0
	// 404
}

func ExampleStream() {
	app := microdot.New()
	app.Get("/events", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Stream("text/event-stream", func(ctx context.Context, w io.Writer) error {
			for i := 1; i <= 3; i++ {
				// Each write reaches the client at once. ctx ends when the
				// client leaves or the server shuts down.
				if _, err := fmt.Fprintf(w, "data: tick %d\n\n", i); err != nil {
					return err
				}
			}
			return nil
		}), nil
	})

	res := microdot.NewTestClient(app).Get("/events")
	fmt.Println(res.Header.Get("Content-Type"))
	fmt.Print(res.Text())
	// Output:
	// text/event-stream
	// data: tick 1
	//
	// data: tick 2
	//
	// data: tick 3
}

func ExampleStaticFiles() {
	dir, err := os.MkdirTemp("", "static")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "index.html"), []byte("<h1>hi</h1>"), 0o644)
	os.WriteFile(filepath.Join(dir, "app.js"), []byte("console.log(1)"), 0o644)

	app := microdot.New()
	app.Get("/static/*file", microdot.StaticFiles(dir))

	c := microdot.NewTestClient(app)
	for _, path := range []string{"/static/", "/static/app.js", "/static/../etc/passwd"} {
		res := c.Get(path)
		fmt.Println(path, res.StatusCode, res.Text())
	}
	// Output:
	// /static/ 200 <h1>hi</h1>
	// /static/app.js 200 console.log(1)
	// /static/../etc/passwd 404 Not Found
}

func ExampleTestClient() {
	app := microdot.New()
	app.Post("/login", func(req *microdot.Request) (*microdot.Response, error) {
		var creds struct{ User string }
		if err := req.DecodeJSON(&creds); err != nil {
			return nil, err
		}
		res := microdot.Text("welcome " + creds.User)
		if err := res.SetCookie(&http.Cookie{Name: "user", Value: creds.User, Path: "/"}); err != nil {
			return nil, err
		}
		return res, nil
	})
	app.Get("/whoami", func(req *microdot.Request) (*microdot.Response, error) {
		ck, err := req.Cookie("user")
		if err != nil {
			return nil, microdot.Abort(401)
		}
		return microdot.Text(ck.Value), nil
	})

	c := microdot.NewTestClient(app)
	fmt.Println(c.Get("/whoami").StatusCode)
	fmt.Println(c.Post("/login", map[string]string{"User": "ada"}).Text()) // sent as JSON
	fmt.Println(c.Get("/whoami").Text())                                   // the cookie is kept
	// Output:
	// 401
	// welcome ada
	// ada
}
