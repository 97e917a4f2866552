package session_test

import (
	"fmt"
	"strings"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/session"
)

func Example() {
	app := microdot.New()
	s, err := session.New(app, strings.Repeat("k", 32)) // use a random key: openssl rand -hex 32
	if err != nil {
		panic(err)
	}
	app.Post("/login/<name>", func(req *microdot.Request) (*microdot.Response, error) {
		data := s.Get(req)
		data["user"] = req.PathValue("name")
		return microdot.Text("logged in"), s.Save(req, data)
	})
	app.Get("/", func(req *microdot.Request) (*microdot.Response, error) {
		user, ok := s.Get(req)["user"].(string)
		if !ok {
			return microdot.Text("who are you?"), nil
		}
		return microdot.Text("hello " + user), nil
	})

	c := microdot.NewTestClient(app)
	fmt.Println(c.Get("/").Text())
	c.Post("/login/susan", nil)
	fmt.Println(c.Get("/").Text())
	// Output:
	// who are you?
	// hello susan
}
