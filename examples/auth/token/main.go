// Command token protects a route with bearer tokens: a port of Microdot's
// examples/auth/token_auth.py, side by side with it in
// docs/coming-from-microdot.md.
//
//	go run ./examples/auth/token
//	curl -H 'Authorization: Bearer susan-token' http://127.0.0.1:5000/
//
// Wrong tokens are throttled per client address.
package main

import (
	"flag"
	"fmt"
	"log"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/auth"
)

// newApp returns the example's App for tokens (token -> user).
func newApp(tokens map[string]string) *microdot.App {
	app := microdot.New()
	token := auth.NewToken(func(req *microdot.Request, t string) (any, error) {
		if user, ok := tokens[t]; ok {
			return user, nil
		}
		return nil, nil
	})
	app.Get("/", token.Required(func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Text(fmt.Sprintf("Hello, %s!", auth.CurrentUser(req))), nil
	}))
	return app
}

func main() {
	addr := flag.String("addr", "127.0.0.1:5000", "`address` to listen on")
	flag.Parse()
	app := newApp(map[string]string{"susan-token": "susan", "david-token": "david"})
	fmt.Printf("try: curl -H 'Authorization: Bearer susan-token' http://%s/\n", *addr)
	if err := app.Run(*addr); err != nil {
		log.Fatal(err)
	}
}
