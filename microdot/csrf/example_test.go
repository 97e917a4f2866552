package csrf_test

import (
	"fmt"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/cors"
	"github.com/microdot-go/microdot/microdot/csrf"
)

func Example() {
	app := microdot.New()
	c, err := cors.New(app, cors.Config{AllowedOrigins: []string{"https://dashboard.lan:8081"}, AllowCredentials: true})
	if err != nil {
		panic(err)
	}
	if _, err := csrf.New(app, c); err != nil {
		panic(err)
	}
	app.Post("/settings", func(*microdot.Request) (*microdot.Response, error) { return microdot.Text("saved"), nil })

	client := microdot.NewTestClient(app)
	fmt.Println(client.Post("/settings", nil, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example").StatusCode)
	fmt.Println(client.Post("/settings", nil, "Sec-Fetch-Site", "same-site", "Origin", "https://dashboard.lan:8081").StatusCode)
	fmt.Println(client.Post("/settings", nil).StatusCode) // curl, a script: no browser headers
	// Output:
	// 403
	// 200
	// 200
}
