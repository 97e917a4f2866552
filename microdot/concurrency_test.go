package microdot_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/microdot-go/microdot/microdot"
	"github.com/stretchr/testify/assert"
)

// TestConcurrentRequestsWhileRegistering hits an App from many goroutines
// while routes, hooks and sub-apps are being registered; run it with -race.
// Every request must get its own parameters, arguments and scratch values.
func TestConcurrentRequestsWhileRegistering(t *testing.T) {
	app := quietApp()
	app.BeforeRequest(func(req *microdot.Request) (*microdot.Response, error) {
		req.Set("q", req.Args().Get("q"))
		return nil, nil
	})
	app.Get("/users/<int:id>", func(req *microdot.Request) (*microdot.Response, error) {
		id, _ := req.ParamInt("id")
		q, _ := req.Get("q")
		return microdot.Text(fmt.Sprintf("%d %v", id, q)), nil
	})
	app.Get("/users/new", text("new"))
	app.Get("/files/<path:p>", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Text(req.PathValue("p")), nil
	})

	const workers, perWorker, extra = 8, 200, 50
	var wg sync.WaitGroup
	errs := make(chan string, workers*perWorker)
	c := microdot.NewTestClient(app) // shared: a TestClient is safe for concurrent use
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < perWorker; i++ {
				id := w*10000 + i
				switch i % 3 {
				case 0:
					want := fmt.Sprintf("%d q%d", id, id)
					if got := c.Get(fmt.Sprintf("/users/%d?q=q%d", id, id)).Text(); got != want {
						errs <- fmt.Sprintf("got %q, want %q", got, want)
					}
				case 1:
					if got := c.Get("/users/new").Text(); got != "new" {
						errs <- "static route: " + got
					}
				case 2:
					want := fmt.Sprintf("a/%d/b", id)
					rec := httptest.NewRecorder()
					app.ServeHTTP(rec, httptest.NewRequest("GET", "/files/"+want, nil))
					if rec.Body.String() != want {
						errs <- fmt.Sprintf("path: got %q, want %q", rec.Body.String(), want)
					}
				}
			}
		}(w)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < extra; i++ {
			n := strconv.Itoa(i)
			app.Get("/extra/"+n, text("extra "+n))
			app.Get("/users/<int:id>/extra"+n, text("x"))
			if i%10 == 0 {
				app.AfterRequest(func(req *microdot.Request, res *microdot.Response) *microdot.Response {
					res.Header.Set("X-Hook-"+n, "1")
					return nil
				})
				sub := microdot.New()
				sub.Get("/x", text("sub "+n))
				app.Mount("/sub"+n, sub)
			}
			// A request in between makes the App rebuild its routing.
			if got := c.Get("/extra/" + n).Text(); got != "extra "+n {
				errs <- "new route: " + got
			}
		}
	}()
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	for i := 0; i < extra; i++ {
		n := strconv.Itoa(i)
		assert.Equal(t, "extra "+n, c.Get("/extra/"+n).Text())
		if i%10 == 0 {
			res := c.Get("/sub" + n + "/x")
			assert.Equal(t, "sub "+n, res.Text())
			assert.Equal(t, "1", res.Header.Get("X-Hook-"+n))
		}
	}
	assert.Equal(t, http.StatusOK, c.Get("/users/1/extra49").StatusCode)
}

// TestConcurrentServingOverRealConnections runs the same App under a real
// server with many clients at once.
func TestConcurrentServingOverRealConnections(t *testing.T) {
	app := quietApp()
	app.Get("/echo/<name>", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Text(req.PathValue("name")), nil
	})
	srv := startServer(t, app)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for w := 0; w < 10; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				name := fmt.Sprintf("w%di%d", w, i)
				r := <-getAsync(t, srv.URL+"/echo/"+name)
				if r.err != nil || r.body != name {
					errs <- fmt.Errorf("%s: %q %v", name, r.body, r.err)
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
