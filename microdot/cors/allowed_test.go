package cors_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/microdot-go/microdot/microdot/cors"
)

func TestListsOrigin(t *testing.T) {
	listed, err := cors.New(nil, cors.Config{AllowedOrigins: []string{
		"http://foo.com", "https://bar.com:8888", "https://*.example.net", "http://localhost:*",
	}})
	require.NoError(t, err)
	anyOrigin, err := cors.New(nil, cors.Config{AllowedOrigins: []string{"*"}})
	require.NoError(t, err)

	tests := []struct {
		c      *cors.CORS
		origin string
		want   bool
	}{
		{listed, "http://foo.com", true},
		{listed, "https://bar.com:8888", true},
		{listed, "http://bar.com:8888", false},
		{listed, "https://bar.com:8889", false},
		{listed, "https://x.y.bar.com:8888", false},
		{listed, "https://a.example.net", true},
		{listed, "http://a.example.net", false},
		{listed, "http://localhost:5173", true},
		{listed, "http://evil.com", false},
		{listed, "null", false},
		{listed, "", false},
		{listed, "not an origin", false},
		{anyOrigin, "http://foo.com", false},
		{anyOrigin, "null", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.c.ListsOrigin(tt.origin), tt.origin)
	}
}

func ExampleCORS_ListsOrigin() {
	c, err := cors.New(nil, cors.Config{AllowedOrigins: []string{"https://dashboard.lan", "https://*.example.net"}})
	if err != nil {
		panic(err)
	}
	fmt.Println(c.ListsOrigin("https://dashboard.lan"))
	fmt.Println(c.ListsOrigin("https://cam.example.net"))
	fmt.Println(c.ListsOrigin("https://evil.example"))
	// Output:
	// true
	// true
	// false
}
