package cors_test

import (
	"os"
	"strings"
	"testing"

	"github.com/microdot-go/microdot/microdot/cors"
)

// FuzzParseConfig feeds arbitrary files to the wsgicors keyword parser, which
// reads outside input (a file an operator edits, reloaded while serving). It
// checks that the parser never panics, that every problem it reports is a
// *FileError naming the file and a line of it, and that a file it accepts is
// a valid configuration: New takes it, and its answers meet the response
// invariants.
func FuzzParseConfig(f *testing.F) {
	for _, name := range []string{"testdata/paste.ini", "testdata/filter-cors.ini", "testdata/lan-device.ini"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	for _, s := range []string{
		"[filter:cors]\npolicy = a\na_origin = *\n",
		"policy = a\na_origin = https://x.example\na_credentials = true\na_maxage = 99999999999999999999\n",
		"policy = a, deny\na_origin =\n  https://a.example\n\thttps://b.example\n",
		"policy = a\na_origin = https://x.example\na_origin = https://y.example\n",
		"[filter:cors]\n  indented = 1\n; comment\n# comment\npolicy=\n",
		"policy = a\na_methods = get post\na_headers = *\na_expose_headers = *\na_private_network = yes\n",
		"matchstrategy = verbmatch\npolicy = r, w\nr_origin = *\nr_methods = GET\nw_origin = https://w.example\nw_methods = PUT\n",
		"dangerously_allow_insecure_origins = true\npolicy = lan\nlan_origin = http://192.168.1.2\nlan_credentials = true\n",
		"\x00\n=\n[\n]\npolicy = \u00e9\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, file string) {
		const name = "cors.ini"
		cfg, err := cors.ParseConfig(strings.NewReader(file), name)
		if err != nil {
			lines := strings.Count(file, "\n") + 1
			for _, fe := range fileErrors(t, err) {
				if fe.File != name || fe.Line < 0 || fe.Line > lines || fe.Err == nil {
					t.Fatalf("FileError %+v for a file of %d lines", fe, lines)
				}
				if !strings.Contains(fe.Error(), name) {
					t.Fatalf("%q does not name the file", fe.Error())
				}
			}
			return
		}
		c, err := cors.New(nil, cfg)
		if err != nil {
			t.Fatalf("ParseConfig accepted a configuration that New refuses: %v", err)
		}
		flat := cfg
		switch len(cfg.Policies) {
		case 0:
		case 1:
			p := cfg.Policies[0]
			flat = cors.Config{AllowedOrigins: p.AllowedOrigins, AllowCredentials: p.AllowCredentials}
		default:
			// The invariants read the origins that a response may be
			// allowed for; under policies, any policy's.
			flat = cors.Config{AllowCredentials: true}
			for _, p := range cfg.Policies {
				flat.AllowedOrigins = append(flat.AllowedOrigins, p.AllowedOrigins...)
			}
			flat.AllowedOrigins = append(flat.AllowedOrigins, "policies")
		}
		for _, origin := range []string{"https://x.example", "http://localhost:3000", "null", "https://a.example"} {
			r := req("GET", "/", "Origin", origin)
			w := serve(c, r)
			responseInvariants(t, flat, r, w.Header(), w.Code, false)
		}
	})
}
