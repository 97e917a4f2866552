package main

import (
	"strings"
	"testing"

	"github.com/microdot-go/microdot/microdot"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTemplates(t *testing.T) {
	app, err := newApp()
	require.NoError(t, err)
	c := microdot.NewTestClient(app)
	form := "Content-Type"
	const urlencoded = "application/x-www-form-urlencoded"

	for _, path := range []string{"/", "/streaming"} {
		res := c.Get(path)
		require.Equal(t, 200, res.StatusCode, path)
		assert.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"), path)
		assert.Contains(t, res.Text(), "What is your name?", path)
		assert.NotContains(t, res.Text(), "Hello,", path)

		res = c.Post(path, "name=%3Cscript%3EAda", form, urlencoded)
		require.Equal(t, 200, res.StatusCode, path)
		assert.Contains(t, res.Text(), "<p>Hello, <b>&lt;script&gt;Ada</b>!</p>", path)
	}

	res := c.Get("/bootstrap")
	require.Equal(t, 200, res.StatusCode)
	assert.Contains(t, res.Text(), "<h2>This is Page 1</h2>")
	assert.Contains(t, res.Text(), `href="/bootstrap/page2"`)
	assert.Contains(t, res.Text(), "bootstrap.min.css", "the layout is applied")

	res = c.Get("/bootstrap/page2")
	assert.Contains(t, res.Text(), "<h2>This is Page 2</h2>")
	assert.Equal(t, 1, strings.Count(res.Text(), "<h2>"), "only page 2's content")
}
