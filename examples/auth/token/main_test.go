package main

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/microdot-go/microdot/microdot"
)

func TestTokenExample(t *testing.T) {
	c := microdot.NewTestClient(newApp(map[string]string{"susan-token": "susan", "david-token": "david"}))
	assert.Equal(t, http.StatusUnauthorized, c.Get("/").StatusCode)
	assert.Equal(t, "Hello, susan!", c.Get("/", "Authorization", "Bearer susan-token").Text())
	assert.Equal(t, "Hello, david!", c.Get("/", "Authorization", "Bearer david-token").Text())
	assert.Equal(t, http.StatusUnauthorized, c.Get("/", "Authorization", "Bearer nope").StatusCode)
	assert.Equal(t, http.StatusUnauthorized, c.Get("/", "Authorization", "Basic susan-token").StatusCode)
}
