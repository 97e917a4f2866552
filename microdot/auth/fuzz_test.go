package auth_test

import (
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/microdot-go/microdot/microdot/auth"
)

func FuzzParseBasic(f *testing.F) {
	for _, s := range []string{"Basic Zm9vOmJhcg==", "basic Zm9vOmJhcg", "Basic", "Basic  ", "Bearer x", "Basic /w==", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		u, p, ok := auth.ParseBasic(header)
		if !ok {
			return
		}
		if !utf8.ValidString(u) || !utf8.ValidString(p) || strings.Contains(u, ":") {
			t.Fatalf("ParseBasic(%q) = %q, %q", header, u, p)
		}
	})
}

func FuzzParseToken(f *testing.F) {
	for _, s := range []string{"Bearer foo", "bearer  foo ", "Bearer", "Basic foo", "foo", " ", ""} {
		f.Add(s, "Authorization")
		f.Add(s, "X-Auth-Token")
	}
	f.Fuzz(func(t *testing.T, value, header string) {
		h := http.Header{}
		h.Set(header, value)
		token, ok := auth.ParseToken(h, header, "Bearer")
		if ok && (token == "" || token != strings.TrimSpace(token)) {
			t.Fatalf("ParseToken(%q in %q) = %q", value, header, token)
		}
	})
}
