package main

import (
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/microdot-go/microdot/microdot"
)

// testIterations keeps the tests fast; the program uses iterations.
const testIterations = 1000

func TestBasicExample(t *testing.T) {
	c := microdot.NewTestClient(newApp(map[string]passwordHash{
		"susan": generatePasswordHash("hello", testIterations),
		"david": generatePasswordHash("bye", testIterations),
	}))
	basic := func(creds string) []string {
		return []string{"Authorization", "Basic " + base64.StdEncoding.EncodeToString([]byte(creds))}
	}

	res := c.Get("/")
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
	assert.Equal(t, `Basic realm="Please login", charset="UTF-8"`, res.Header.Get("WWW-Authenticate"))
	assert.Equal(t, "Hello, susan!", c.Get("/", basic("susan:hello")...).Text())
	assert.Equal(t, "Hello, david!", c.Get("/", basic("david:bye")...).Text())
	assert.Equal(t, http.StatusUnauthorized, c.Get("/", basic("susan:bye")...).StatusCode)
	assert.Equal(t, http.StatusUnauthorized, c.Get("/", basic("nobody:hello")...).StatusCode)
}

func TestPasswordHashes(t *testing.T) {
	h := generatePasswordHash("hello", testIterations)
	assert.True(t, checkPasswordHash(h, "hello"))
	assert.False(t, checkPasswordHash(h, "hello "))
	assert.NotEqual(t, h.salt, generatePasswordHash("hello", testIterations).salt, "every hash has its own salt")
}
