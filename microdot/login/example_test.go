package login_test

import (
	"fmt"
	"strings"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/auth"
	"github.com/microdot-go/microdot/microdot/login"
	"github.com/microdot-go/microdot/microdot/session"
)

func Example() {
	app := microdot.New()
	sess, err := session.New(app, strings.Repeat("k", 32)) // use a random key
	if err != nil {
		panic(err)
	}
	users := map[string]string{"1": "susan"}
	lg := login.New(sess, func(req *microdot.Request, id string) (any, error) {
		if name, ok := users[id]; ok {
			return name, nil
		}
		return nil, nil
	})
	app.Get("/", lg.Required(func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Text("Hello, " + auth.CurrentUser(req).(string)), nil
	}))
	app.Post("/login", lg.Throttle(func(req *microdot.Request) (*microdot.Response, error) {
		if req.Args().Get("password") != "hello" { // check a password hash in real code
			lg.Failed(req)
			return microdot.Text("wrong password").WithStatus(401), nil
		}
		return lg.LoginUser(req, "1", "susan", 0)
	}))

	c := microdot.NewTestClient(app)
	fmt.Println(c.Get("/").Header.Get("Location"))
	fmt.Println(c.Post("/login?password=hello&next=/", nil).StatusCode)
	fmt.Println(c.Get("/").Text())
	// Output:
	// /login?next=/
	// 302
	// Hello, susan
}
