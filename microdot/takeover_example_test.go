package microdot_test

import (
	"fmt"
	"net/http"

	"github.com/microdot-go/microdot/microdot"
)

func ExampleTakeover() {
	app := microdot.New()
	app.AfterRequest(func(req *microdot.Request, res *microdot.Response) *microdot.Response {
		res.Header.Set("X-Served-By", "camera")
		return nil
	})
	app.Get("/raw", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Takeover(func(w http.ResponseWriter, r *http.Request) error {
			// The hooks have run: their headers are in w.Header().
			w.Header().Set("Content-Type", "text/plain")
			for i := 1; i <= 3; i++ {
				fmt.Fprintf(w, "chunk %d\n", i)
				http.NewResponseController(w).Flush() // each chunk leaves at once
			}
			return nil
		}), nil
	})

	res := microdot.NewTestClient(app).Get("/raw")
	fmt.Println(res.Header.Get("X-Served-By"))
	fmt.Print(res.Text())
	// Output:
	// camera
	// chunk 1
	// chunk 2
	// chunk 3
}
