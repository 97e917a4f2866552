package origins_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/microdot-go/microdot/microdot/cors/internal/origins"
)

func TestIsPublicSuffix(t *testing.T) {
	for d, want := range map[string]bool{
		"com": true, "co.uk": true, "org.uk": true, "me.uk": true,
		"github.io": true, "ddns.net": true, "synology.me": true, "no-ip.org": true,
		"myqnapcloud.com": true, "s3.us-east-2.amazonaws.com": true, "internal": true,
		"example.com": false, "example.co.uk": false, "home.ddns.net": false,
		"nas.synology.me": false, "localhost": false, "home.arpa": true,
	} {
		assert.Equal(t, want, origins.IsPublicSuffix(d), d)
	}
}

func TestMatcher(t *testing.T) {
	var ps []origins.Pattern
	for _, s := range []string{"https://app.example", "https://*.example.com", "http://localhost:*", "null"} {
		p, msg := origins.ParsePattern(s)
		assert.Empty(t, msg, s)
		ps = append(ps, p)
	}
	m := origins.Compile(ps)
	for o, want := range map[string]bool{
		"https://app.example": true, "https://a.example.com": true, "https://a.b.example.com": true,
		"https://example.com": false, "https://evilexample.com": false, "http://a.example.com": false,
		"http://localhost": true, "http://localhost:3000": true, "http://localhost:3000.evil.com": false,
		"null": true, "https://app.example.": false, "": false,
	} {
		assert.Equal(t, want, m.Match(&origins.Request{Raw: o}), o)
	}
}

func FuzzParsePattern(f *testing.F) {
	for _, s := range []string{"https://*.example.com", "http://localhost:*", "HTTPS://A.COM", "http://[::1]:80", "*", "https://a.com/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, msg := origins.ParsePattern(s)
		if msg != "" || p.Kind != origins.Exact || p.AnyPort {
			return
		}
		// An exact pattern is a serialized origin that matches itself.
		if _, ok := origins.Parse(s); !ok {
			t.Fatalf("pattern %q accepted but not an origin", s)
		}
		m := origins.Compile([]origins.Pattern{p})
		if !m.Match(&origins.Request{Raw: s}) {
			t.Fatalf("pattern %q does not match itself", s)
		}
	})
}
