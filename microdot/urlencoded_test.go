package microdot

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzParseQuery checks the lenient parser of query strings and forms: it
// never panics, and agrees with url.ParseQuery wherever that succeeds.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"", "a=1&b=2", "x=%2f%%", "a+b=%41%zz", "a=1;b=2", "&&=&=x", "%", "%4", "é=%C3%A9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		got := parseQuery(q)
		want, err := url.ParseQuery(q)
		if err != nil {
			// Lenient: no more pairs than there are '&'-separated parts.
			if len(got) > strings.Count(q, "&")+1 {
				t.Fatalf("%q: %d keys from at most %d pairs", q, len(got), strings.Count(q, "&")+1)
			}
			return
		}
		if len(got) != len(want) {
			t.Fatalf("%q: got %v, url.ParseQuery %v", q, got, want)
		}
		for k, v := range want {
			if strings.Join(got[k], "\x00") != strings.Join(v, "\x00") {
				t.Fatalf("%q: key %q: got %q, url.ParseQuery %q", q, k, got[k], v)
			}
		}
	})
}
