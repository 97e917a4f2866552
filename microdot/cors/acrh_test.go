package cors_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/microdot-go/microdot/microdot/cors"
)

// preflightWith sends a preflight for PUT whose Access-Control-Request-Headers
// has the given field lines, and returns the response.
func preflightWith(c *cors.CORS, lines ...string) *http.Response {
	r := req("OPTIONS", "/", "Origin", "https://example.com", acrm, "PUT")
	for _, l := range lines {
		r.Header.Add(acrh, l)
	}
	return serve(c, r).Result()
}

// TestACRHParsing checks the parser of Access-Control-Request-Headers: a
// comma-separated list with optional whitespace and empty elements, over
// several field lines, compared case-insensitively, in any order, and bounded.
func TestACRHParsing(t *testing.T) {
	listed := mustNew(t, cors.Config{
		AllowedOrigins: []string{"https://example.com"},
		AllowedMethods: []string{"PUT"},
		AllowedHeaders: []string{"Authorization", "Content-Type", "X-Requested-With"},
	})
	anyHeader := mustNew(t, cors.Config{
		AllowedOrigins: []string{"https://example.com"},
		AllowedMethods: []string{"PUT"},
		AllowedHeaders: []string{"*"},
	})
	ok := []struct {
		name  string
		lines []string
	}{
		{"browser form", []string{"authorization,content-type"}},
		{"single", []string{"x-requested-with"}},
		{"unsorted (go libs #13: jub0bs and rs refuse)", []string{"content-type,authorization"}},
		{"upper case (go libs #14)", []string{"Authorization"}},
		{"mixed case", []string{"CONTENT-type,X-Requested-With"}},
		{"one space (go libs #15)", []string{"authorization, content-type"}},
		{"two spaces (go libs #16)", []string{"authorization,  content-type"}},
		{"tabs", []string{"authorization,\t\tcontent-type\t"}},
		{"spaces around", []string{"  authorization  ,  content-type  "}},
		{"16 empty elements (go libs #17)", []string{"authorization" + strings.Repeat(",", 16)}},
		{"empty elements in the middle", []string{"authorization,,, ,content-type"}},
		{"two lines (go libs #19)", []string{"authorization", "content-type"}},
		{"empty line", []string{"authorization", "", "content-type"}},
		{"all three", []string{"x-requested-with,Content-Type , authorization"}},
	}
	for _, tt := range ok {
		t.Run("ok "+tt.name, func(t *testing.T) {
			assert.Equal(t, http.StatusNoContent, preflightWith(listed, tt.lines...).StatusCode)
		})
	}
	bad := []struct {
		name  string
		c     *cors.CORS
		lines []string
	}{
		{"17 empty elements (go libs #18)", listed, []string{"authorization" + strings.Repeat(",", 17)}},
		{"17 empty lines", listed, append([]string{"authorization"}, make([]string, 17)...)},
		{"duplicate (go libs #20)", listed, []string{"authorization,authorization"}},
		{"duplicate other case", listed, []string{"Content-Type,content-type"}},
		{"duplicate over lines", listed, []string{"content-type", "content-type"}},
		{"unknown (go libs #21)", listed, []string{"x-unknown"}},
		{"prefix of a name", listed, []string{"content"}},
		{"name plus suffix", listed, []string{"content-typex"}},
		{"three spaces", listed, []string{"authorization,   content-type"}},
		{"three trailing spaces", listed, []string{"authorization   ,content-type"}},
		{"space inside", listed, []string{"content type"}},
		{"semicolon", listed, []string{"authorization;content-type"}},
		{"non-ASCII", listed, []string{"authorizatiön"}},
		{"any: invalid token", anyHeader, []string{"x-a,x(b)"}},
		{"any: space inside", anyHeader, []string{"x a"}},
		{"any: authorization not listed", anyHeader, []string{"x-a,Authorization"}},
		{"any: 65 names", anyHeader, []string{floodNames(65)}},
		{"any: name of 257 bytes", anyHeader, []string{strings.Repeat("x", 257)}},
	}
	for _, tt := range bad {
		t.Run("refused "+tt.name, func(t *testing.T) {
			res := preflightWith(tt.c, tt.lines...)
			assert.Equal(t, http.StatusForbidden, res.StatusCode)
			assert.Empty(t, corsHeaders(res.Header))
		})
	}
	assert.Equal(t, http.StatusNoContent, preflightWith(anyHeader, floodNames(64)).StatusCode)
	assert.Equal(t, http.StatusNoContent, preflightWith(anyHeader, strings.Repeat("x", 256)).StatusCode)
}

// TestACRHHostile is the regression test of rs/cors#170
// (GHSA-mh55-gqvf-xfwm) and go-chi/cors#36: hostile values are refused,
// without allocating (see TestAllocations) and without reading them whole.
func TestACRHHostile(t *testing.T) {
	listed := mustNew(t, benchConfig)
	anyHeader := mustNew(t, cors.Config{AllowedOrigins: []string{"https://example.com"}, AllowedMethods: []string{"PUT"}})
	mb := 1 << 20
	for name, v := range map[string]string{
		"1000 distinct names":       floodNames(1000),
		"content-type 1000 times":   strings.TrimSuffix(strings.Repeat("content-type,", 1000), ","),
		"1000 commas":               strings.Repeat(",", 1000),
		"a megabyte of commas":      strings.Repeat(",", mb),
		"a megabyte of spaces":      "authorization" + strings.Repeat(" ", mb),
		"a megabyte name":           strings.Repeat("a", mb),
		"a megabyte of OWS + comma": strings.Repeat(" ,", mb/2),
	} {
		for cname, c := range map[string]*cors.CORS{"listed": listed, "any": anyHeader} {
			t.Run(name+" "+cname, func(t *testing.T) {
				res := preflightWith(c, v)
				assert.Equal(t, http.StatusForbidden, res.StatusCode)
				assert.Empty(t, corsHeaders(res.Header))
			})
		}
	}
	lines := make([]string, 1000)
	assert.Equal(t, http.StatusForbidden, preflightWith(listed, lines...).StatusCode, "1000 empty lines")
}
