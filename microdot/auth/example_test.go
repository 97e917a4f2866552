package auth_test

import (
	"encoding/base64"
	"fmt"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/auth"
)

func ExampleNewBasic() {
	app := microdot.New()
	basic := auth.NewBasic(func(req *microdot.Request, username, password string) (any, error) {
		if username == "susan" && password == "hello" { // compare password hashes in real code
			return username, nil
		}
		return nil, nil
	})
	app.Get("/", basic.Required(func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Text(fmt.Sprintf("Hello, %s!", auth.CurrentUser(req))), nil
	}))

	c := microdot.NewTestClient(app)
	fmt.Println(c.Get("/").StatusCode)
	creds := base64.StdEncoding.EncodeToString([]byte("susan:hello"))
	fmt.Println(c.Get("/", "Authorization", "Basic "+creds).Text())
	// Output:
	// 401
	// Hello, susan!
}

func ExampleNewToken() {
	app := microdot.New()
	tokens := map[string]string{"susan-token": "susan", "david-token": "david"}
	token := auth.NewToken(func(req *microdot.Request, t string) (any, error) {
		if user, ok := tokens[t]; ok {
			return user, nil
		}
		return nil, nil
	})
	app.Get("/", token.Required(func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Text(fmt.Sprintf("Hello, %s!", auth.CurrentUser(req))), nil
	}))

	c := microdot.NewTestClient(app)
	fmt.Println(c.Get("/", "Authorization", "Bearer david-token").Text())
	// Output: Hello, david!
}
