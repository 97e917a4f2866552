// Command login keeps a user's name in the session cookie: a port of
// Microdot's examples/sessions/login.py, side by side with it in
// docs/coming-from-microdot.md.
//
//	go run ./examples/login
//
// then open http://127.0.0.1:5000/. The session is signed with
// $SECRET_KEY (at least 32 bytes; make one with `openssl rand -hex 32`),
// or with a random key, so that a restart logs everyone out.
package main

import (
	"crypto/rand"
	"flag"
	"fmt"
	"html/template"
	"log"
	"os"
	"strings"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/csrf"
	"github.com/microdot-go/microdot/microdot/session"
)

var page = template.Must(template.New("page").Parse(`<!doctype html>
<html>
  <head>
    <title>Microdot login example</title>
    <meta charset="UTF-8">
  </head>
  <body>
    <h1>Microdot login example</h1>
    {{if .}}<p>Hello <b>{{.}}</b>!</p>
    <form method="POST" action="/logout">
      <input type="submit" value="Logout" />
    </form>{{else}}<p>You are not logged in.</p>
    <form method="POST">
      <p>
        Username:
        <input name="username" autofocus />
      </p>
      <input type="submit" value="Submit" />
    </form>{{end}}
  </body>
</html>`))

// newApp returns the example's App, its session signed with secretKey.
func newApp(secretKey string) (*microdot.App, error) {
	app := microdot.New()
	sess, err := session.New(app, secretKey)
	if err != nil {
		return nil, err
	}
	if _, err := csrf.New(app, nil); err != nil { // refuse cross-site posts
		return nil, err
	}

	index := func(req *microdot.Request) (*microdot.Response, error) {
		data := sess.Get(req)
		if req.Method == "POST" {
			form, err := req.FormValues()
			if err != nil {
				return nil, err
			}
			data["username"] = form.Get("username")
			if err := sess.Save(req, data); err != nil {
				return nil, err
			}
			return microdot.Redirect("/"), nil
		}
		username, _ := data["username"].(string)
		var b strings.Builder
		if err := page.Execute(&b, username); err != nil {
			return nil, err
		}
		return microdot.HTML(b.String()), nil
	}
	app.Route("/", index, "GET", "POST")
	app.Post("/logout", func(req *microdot.Request) (*microdot.Response, error) {
		sess.Delete(req)
		return microdot.Redirect("/"), nil
	})
	return app, nil
}

func main() {
	addr := flag.String("addr", "127.0.0.1:5000", "`address` to listen on")
	flag.Parse()
	key := os.Getenv("SECRET_KEY")
	if key == "" {
		key = rand.Text() + rand.Text()
	}
	app, err := newApp(key)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("open http://%s/\n", *addr)
	if err := app.Run(*addr); err != nil {
		log.Fatal(err)
	}
}
