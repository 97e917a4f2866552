package microdot_test

import (
	"testing"

	"github.com/microdot-go/microdot/microdot"
	"github.com/stretchr/testify/assert"
)

func TestSmoke(t *testing.T) {
	app := microdot.New()
	app.Get("/hello", func(req *microdot.Request) (*microdot.Response, error) { return microdot.Text("hello"), nil })
	app.Get("/users/new", func(req *microdot.Request) (*microdot.Response, error) { return microdot.Text("new"), nil })
	app.Get("/users/<int:id>", func(req *microdot.Request) (*microdot.Response, error) {
		id, _ := req.ParamInt("id")
		return microdot.JSON(map[string]int{"id": id}), nil
	})
	app.Get("/users/<name>", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Text("name " + req.PathValue("name")), nil
	})
	app.Post("/users/<id>", func(req *microdot.Request) (*microdot.Response, error) { return nil, nil })
	c := microdot.NewTestClient(app)
	assert.Equal(t, "hello", c.Get("/hello").Text())
	assert.Equal(t, "new", c.Get("/users/new").Text())
	assert.Equal(t, `{"id":42}`, c.Get("/users/42").Text())
	assert.Equal(t, "name bob", c.Get("/users/bob").Text())
	assert.Equal(t, 204, c.Post("/users/bob", nil).StatusCode)
	r := c.Delete("/users/bob")
	assert.Equal(t, 405, r.StatusCode)
	assert.Equal(t, "GET, POST, HEAD, OPTIONS", r.Header.Get("Allow"))
	assert.Equal(t, 404, c.Get("/nope").StatusCode)
	o := c.Options("/users/new")
	assert.Equal(t, 204, o.StatusCode)
	assert.Equal(t, "GET, POST, HEAD, OPTIONS", o.Header.Get("Allow")) // POST /users/<id> matches "new" too
	h := c.Head("/hello")
	assert.Equal(t, "5", h.Header.Get("Content-Length"))
	assert.Nil(t, h.Body)
}
