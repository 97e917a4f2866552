package headers_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/microdot-go/microdot/microdot/cors/internal/headers"
)

func TestCheckModes(t *testing.T) {
	listed := headers.NewSet(headers.Listed, []string{"content-type", "x-a"})
	wildcard := headers.NewSet(headers.Wildcard, nil)
	echo := headers.NewSet(headers.Echo, nil)
	many := strings.Repeat("x-b,", headers.MaxAnyNames) + "x-c"
	tests := []struct {
		name  string
		set   headers.Set
		lines []string
		ok    bool
		names int
	}{
		{"listed", listed, []string{"Content-Type, x-a"}, true, 2},
		{"listed: unknown", listed, []string{"x-b"}, false, 0},
		{"listed: repeated", listed, []string{"x-a", "X-A"}, false, 0},
		{"wildcard: any name", wildcard, []string{"x-b,x-c"}, true, 2},
		{"wildcard: authorization", wildcard, []string{"authorization"}, false, 0},
		{"echo: authorization", echo, []string{"authorization,x-b"}, true, 2},
		{"echo: authorization twice", echo, []string{"authorization,Authorization"}, false, 0},
		{"echo: too many", echo, []string{many}, false, 0},
		{"echo: not a token", echo, []string{"x b"}, false, 0},
		{"empty elements", echo, []string{",,x-b,,"}, true, 1},
		{"too many empty elements", echo, []string{strings.Repeat(",", 17)}, false, 0},
		{"whitespace", listed, []string{"   x-a"}, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := tt.set.Check(tt.lines)
			assert.Equal(t, tt.ok, res.OK, res.Why)
			if tt.ok {
				assert.Equal(t, tt.names, res.Names)
			} else {
				assert.NotEmpty(t, res.Why)
			}
		})
	}
}
