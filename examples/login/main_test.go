package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/microdot-go/microdot/microdot"
)

func TestLoginExample(t *testing.T) {
	app, err := newApp(strings.Repeat("k", 32))
	require.NoError(t, err)
	c := microdot.NewTestClient(app)
	form := []string{"Content-Type", "application/x-www-form-urlencoded"}

	assert.Contains(t, c.Get("/").Text(), "You are not logged in.")

	res := c.Post("/", "username=susan%20%3Cb%3E", form...)
	assert.Equal(t, http.StatusFound, res.StatusCode)
	assert.Equal(t, "/", res.Header.Get("Location"))
	body := c.Get("/").Text()
	assert.Contains(t, body, "Hello <b>susan &lt;b&gt;</b>!", "the name is escaped")

	assert.Equal(t, http.StatusFound, c.Post("/logout", nil).StatusCode)
	assert.Contains(t, c.Get("/").Text(), "You are not logged in.")

	// Another site cannot log the visitor in under its own name.
	res = c.Post("/", "username=mallory", append(form, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")...)
	assert.Equal(t, http.StatusForbidden, res.StatusCode)
	assert.Contains(t, c.Get("/").Text(), "You are not logged in.")
}

func TestLoginExampleRefusesShortKeys(t *testing.T) {
	_, err := newApp("top-secret")
	assert.ErrorContains(t, err, "openssl rand -hex 32")
}
