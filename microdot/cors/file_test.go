package cors_test

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/microdot-go/microdot/microdot/cors"
)

// seedPolicies is what wsgicors's README example ([filter:cors]) describes.
var seedPolicies = []cors.Policy{
	{
		Name:           "subdom",
		AllowedOrigins: []string{"http://example.com", "http://example2.com", "https://*.example.com"},
		AllowedHeaders: []string{"*"},
		AllowedMethods: []string{"HEAD", "OPTIONS", "GET", "POST", "PUT", "DELETE"},
		ExposeHeaders:  []string{"Foo", "Doom"},
		MaxAge:         180,
	},
	{
		Name:           "free",
		AllowedOrigins: []string{"copy"},
		AllowedHeaders: []string{"*"},
		ExposeHeaders:  []string{"*"},
		AllowedMethods: []string{"HEAD", "OPTIONS", "GET"},
		MaxAge:         180,
	},
}

// TestLoadSeed loads wsgicors's example as written: the whole PasteDeploy
// file (with its other sections, use = egg:... lines, comments, continuation
// lines and the policy key that is not indented like the others) and the
// [filter:cors] section alone.
func TestLoadSeed(t *testing.T) {
	for _, file := range []string{"testdata/paste.ini", "testdata/filter-cors.ini"} {
		t.Run(file, func(t *testing.T) {
			cfg, err := cors.LoadFile(file)
			require.NoError(t, err)
			assert.Equal(t, cors.Config{Policies: seedPolicies}, cfg)
		})
	}
}

// TestSeedBehaviour checks that the seed's policies behave as its comments
// describe (the first policy whose origins match is used), minus wsgicors's
// flaws: https://*.example.com means subdomains only, and an origin that no
// policy allows gets no header.
func TestSeedBehaviour(t *testing.T) {
	cfg, err := cors.LoadFile("testdata/paste.ini")
	require.NoError(t, err)
	c := mustNew(t, cfg)

	// subdom: exact origins and subdomains.
	for _, o := range []string{"http://example.com", "http://example2.com", "https://www.example.com", "https://a.b.example.com"} {
		w := serve(c, req("GET", "/", "Origin", o))
		assert.Equal(t, o, w.Header().Get(acao))
		assert.Equal(t, "Foo, Doom", w.Header().Get(aceh), o)
		assert.Equal(t, []string{"Origin"}, w.Header().Values("Vary"))
		w = serve(c, preflight(o, "PUT", acrh, "x-custom"))
		assert.Equal(t, http.StatusNoContent, w.Code, o)
		assert.Equal(t, "PUT", w.Header().Get(acam))
		assert.Equal(t, "*", w.Header().Get(acah))
		assert.Equal(t, "180", w.Header().Get(acma))
	}
	// free: any other origin is copied, with free's settings.
	w := serve(c, req("GET", "/", "Origin", "https://other.org"))
	assert.Equal(t, "https://other.org", w.Header().Get(acao))
	assert.Equal(t, "*", w.Header().Get(aceh))
	// https://example.com (the apex, over https) is no subdomain: free.
	w = serve(c, req("GET", "/", "Origin", "https://example.com"))
	assert.Equal(t, "*", w.Header().Get(aceh))
	// free does not allow PUT.
	w = serve(c, preflight("https://other.org", "PUT"))
	assert.Equal(t, http.StatusForbidden, w.Code)
	w = serve(c, preflight("https://other.org", "GET"))
	assert.Equal(t, http.StatusNoContent, w.Code)
	// copy never reflects null.
	w = serve(c, req("GET", "/", "Origin", "null"))
	assert.Empty(t, w.Header().Get(acao))
	// fnmatch would have let these in (wsgicors flaw B1).
	for _, o := range []string{"https://evil.com/.example.com", "https://.example.com"} {
		assert.Empty(t, serve(c, req("GET", "/", "Origin", o)).Header().Get(acao), o)
	}
}

func TestLoadLANDevice(t *testing.T) {
	cfg, err := cors.LoadFile("testdata/lan-device.ini")
	require.NoError(t, err)
	assert.Equal(t, cors.FirstMatch, cfg.MatchStrategy)
	require.Len(t, cfg.Policies, 2)
	assert.Equal(t, cors.Policy{
		Name:                "dashboard",
		AllowedOrigins:      []string{"https://dashboard.example.com"},
		AllowedMethods:      []string{"GET", "POST", "PUT"},
		AllowedHeaders:      []string{"Content-Type", "Authorization"},
		ExposeHeaders:       []string{"X-Frame-Count"},
		AllowCredentials:    true,
		MaxAge:              600,
		AllowPrivateNetwork: true,
	}, cfg.Policies[0])
	assert.Equal(t, []string{"http://localhost:*", "http://127.0.0.1:*"}, cfg.Policies[1].AllowedOrigins)
	assert.Equal(t, -1, cfg.Policies[1].MaxAge)
}

func TestParseConfigForms(t *testing.T) {
	tests := []struct {
		name string
		text string
		want cors.Config
	}{
		{
			"bare keywords: a single policy",
			"origin = https://a.example https://b.example\ncredentials = true\nmethods = GET,PUT\nheaders = X-A\nmaxage = 60\nexpose_headers = X-B\nprivate_network = yes\n",
			cors.Config{
				AllowedOrigins: []string{"https://a.example", "https://b.example"}, AllowCredentials: true,
				AllowedMethods: []string{"GET", "PUT"}, AllowedHeaders: []string{"X-A"}, MaxAge: 60,
				ExposeHeaders: []string{"X-B"}, AllowPrivateNetwork: true,
			},
		},
		{
			"defaults: no methods, no headers (as in wsgicors)",
			"origin=*",
			cors.Config{AllowedOrigins: []string{"*"}, AllowedMethods: []string{}, AllowedHeaders: []string{}},
		},
		{
			"commas, spaces, newlines",
			"[cors]\npolicy = a ,b\na_origin = https://a.example,https://b.example ,  https://c.example\n  https://d.example\nb_origin: *\nb_credentials = FALSE\n",
			cors.Config{Policies: []cors.Policy{
				{Name: "a", AllowedOrigins: []string{"https://a.example", "https://b.example", "https://c.example", "https://d.example"}, AllowedMethods: []string{}, AllowedHeaders: []string{}},
				{Name: "b", AllowedOrigins: []string{"*"}, AllowedMethods: []string{}, AllowedHeaders: []string{}},
			}},
		},
		{
			"deny and verbmatch; section found by its use key; empty value unset",
			"[DEFAULT]\ndebug = true\n[filter:mycors]\nuse = egg:wsgicors#middleware\npolicy = a, deny\nmatchstrategy = verbmatch\na_origin = https://a.example\na_maxage =\n[app:main]\nuse = egg:app\n",
			cors.Config{MatchStrategy: cors.VerbMatch, Policies: []cors.Policy{
				{Name: "a", AllowedOrigins: []string{"https://a.example"}, AllowedMethods: []string{}, AllowedHeaders: []string{}},
				{Name: "deny"},
			}},
		},
		{
			"policy names with underscores; CRLF line ends",
			"policy = my_api\r\nmy_api_origin = https://a.example\r\nmy_api_expose_headers = X-A\r\n",
			cors.Config{Policies: []cors.Policy{
				{Name: "my_api", AllowedOrigins: []string{"https://a.example"}, ExposeHeaders: []string{"X-A"}, AllowedMethods: []string{}, AllowedHeaders: []string{}},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := cors.ParseConfig(strings.NewReader(tt.text), "test.ini")
			require.NoError(t, err)
			assert.Equal(t, tt.want, cfg)
		})
	}
}

// fileErrors returns the *cors.FileError values joined in err.
func fileErrors(t *testing.T, err error) []*cors.FileError {
	t.Helper()
	var out []*cors.FileError
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		var fe *cors.FileError
		require.True(t, errors.As(e, &fe), "not a *cors.FileError: %v", e)
		out = append(out, fe)
	}
	return out
}

// TestParseConfigErrors checks that every problem in a file is reported with
// the file, the line and the key.
func TestParseConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		text string
		line int
		key  string
		want string
	}{
		{"bad origin", "policy = a\na_origin = https://a.example/\n", 2, "a_origin", "trailing slash"},
		{"star with credentials", "policy = a\na_origin = *\n# comment\na_credentials = true\n", 2, "a_origin", "credentials"},
		{"credentials not a boolean", "policy = a\na_origin = *\na_credentials = maybe\n", 3, "a_credentials", `"maybe" is not true or false`},
		{"maxage not a number", "policy = a\na_origin = *\na_maxage = 3 minutes\n", 3, "a_maxage", "not a whole number"},
		{"maxage out of range", "policy = a\na_origin = *\na_maxage = 100000\n", 3, "a_maxage", "out of range"},
		{"bad method", "policy = a\na_origin = *\na_methods = GET, CONNECT\n", 3, "a_methods", `"CONNECT"`},
		{"forbidden header", "policy = a\na_origin = *\na_headers = Cookie\n", 3, "a_headers", "forbidden"},
		{"expose set-cookie", "policy = a\na_origin = *\na_expose_headers = Set-Cookie\n", 3, "a_expose_headers", "cookies"},
		{"unknown strategy", "policy = a\nmatchstrategy = best\na_origin = *\n", 2, "matchstrategy", "firstmatch"},
		{"unknown key", "policy = a\na_origin = *\na_origins = *\n", 3, "a_origins", "unknown key"},
		{"key of an unlisted policy", "policy = a\na_origin = *\nb_origin = *\n", 3, "b_origin", "policy = a"},
		{"unprefixed key with policy", "policy = a\na_origin = *\norigin = *\n", 3, "origin", "<policy>_origin"},
		{"unknown bare key", "origin = *\ncolour = blue\n", 2, "colour", "unknown key"},
		{"policy without keys", "policy = a, b\na_origin = *\n", 1, "policy", `policy "b" has no keys`},
		{"policy without origin", "policy = a\na_methods = GET\n", 1, "policy", "no origin"},
		{"policy listed twice", "policy = a, a\na_origin = *\n", 1, "policy", "listed twice"},
		{"empty policy list", "policy = ,\n", 1, "policy", "lists no policy"},
		{"duplicate key", "policy = a\na_origin = *\na_origin = https://a.example\n", 3, "a_origin", "already set on line 2"},
		{"not key = value", "policy = a\na_origin = *\njust words\n", 3, "", "expected key = value"},
		{"key outside section", "origin = *\n[filter:cors]\norigin = *\n", 1, "origin", "outside any section"},
		{"no CORS section", "[app:main]\nuse = egg:app\n", 0, "", "no CORS section"},
		{"two CORS sections", "[cors]\norigin = *\n[filter:cors]\norigin = *\n", 3, "", "two CORS sections"},
		{"deny with keys", "policy = a, deny\na_origin = *\ndeny_origin = *\n", 3, "deny_origin", "deny policy"},
		{"nothing at all", "# empty\n", 0, "", "no origin"},
		{"inline comment", "origin = * # everyone\n", 1, "origin", "comments go on their own line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := cors.ParseConfig(strings.NewReader(tt.text), "cors.ini")
			require.Error(t, err)
			assert.Equal(t, cors.Config{}, cfg)
			errs := fileErrors(t, err)
			require.NotEmpty(t, errs)
			fe := errs[0]
			assert.Equal(t, "cors.ini", fe.File)
			assert.Equal(t, tt.line, fe.Line, "%v", err)
			assert.Equal(t, tt.key, fe.Key, "%v", err)
			assert.Contains(t, err.Error(), tt.want)
			prefix := "cors: cors.ini"
			if tt.line > 0 {
				prefix += ":" + itoa(tt.line)
			}
			assert.True(t, strings.HasPrefix(err.Error(), prefix), err.Error())
		})
	}
}

func TestParseConfigAllErrors(t *testing.T) {
	_, err := cors.ParseConfig(strings.NewReader(
		"policy = a, b\na_origin = https://A.example\na_maxage = x\nb_origin = *\nb_credentials = true\nb_expose_headers = Set-Cookie\n"), "f.ini")
	require.Error(t, err)
	errs := fileErrors(t, err)
	lines := []int{}
	for _, e := range errs {
		lines = append(lines, e.Line)
	}
	assert.ElementsMatch(t, []int{3}, lines, "value errors are reported before validation: %v", err)

	_, err = cors.ParseConfig(strings.NewReader(
		"policy = a, b\na_origin = https://A.example\nb_origin = *\nb_credentials = true\nb_expose_headers = Set-Cookie\n"), "f.ini")
	require.Error(t, err)
	lines = lines[:0]
	for _, e := range fileErrors(t, err) {
		lines = append(lines, e.Line)
		var ce *cors.ConfigError
		assert.ErrorAs(t, e, &ce, "the validation error is kept")
	}
	assert.ElementsMatch(t, []int{2, 3, 5}, lines, "%v", err)
}

func TestLoadFileMissing(t *testing.T) {
	_, err := cors.LoadFile("testdata/does-not-exist.ini")
	require.Error(t, err)
	assert.ErrorIs(t, err, fs.ErrNotExist)
}

// The file-wide opt-ins let a file allow plain-http origins with credentials,
// which is refused without them.
func TestFileOptIns(t *testing.T) {
	const body = "origin = http://192.168.1.20:8081\ncredentials = true\nmethods = GET, PUT\n"
	_, err := cors.ParseConfig(strings.NewReader(body), "lan.ini")
	require.Error(t, err, "insecure origin with credentials")
	cfg, err := cors.ParseConfig(strings.NewReader(body+"dangerously_allow_insecure_origins = true\n"), "lan.ini")
	require.NoError(t, err)
	assert.True(t, cfg.DangerouslyAllowInsecureOrigins)
	_, err = cors.ParseConfig(strings.NewReader(body+"dangerously_allow_insecure_origins = maybe\n"), "lan.ini")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "lan.ini")
	assert.Contains(t, err.Error(), "dangerously_allow_insecure_origins")
	cfg, err = cors.ParseConfig(strings.NewReader("origin = https://*.github.io\ncredentials = true\ndangerously_allow_public_suffix_wildcards = yes\n"), "gh.ini")
	require.NoError(t, err)
	assert.True(t, cfg.DangerouslyAllowPublicSuffixWildcards)
}

// TestParseConfigLarge checks that a file of 40,000 keys is read in one
// pass and that its problems are reported in a bounded error.
func TestParseConfigLarge(t *testing.T) {
	var b strings.Builder
	b.WriteString("[filter:cors]\npolicy = api\napi_origin = https://app.example\n")
	for i := range 40000 {
		fmt.Fprintf(&b, "api_nonsense%d = 1\n", i)
	}
	_, err := cors.ParseConfig(strings.NewReader(b.String()), "big.ini")
	require.Error(t, err)
	assert.Less(t, len(err.Error()), 20000, "a bounded report")
	assert.Contains(t, err.Error(), "... and 39980 more problems")
	var fe *cors.FileError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, 4, fe.Line)

	// As many policies, each with its keys: valid, and read whole.
	b.Reset()
	names := make([]string, 20000)
	for i := range names {
		names[i] = fmt.Sprintf("p%d", i)
	}
	fmt.Fprintf(&b, "policy = %s\n", strings.Join(names, ", "))
	for _, n := range names {
		fmt.Fprintf(&b, "%s_origin = https://%s.example\n%s_credentials = true\n", n, n, n)
	}
	cfg, err := cors.ParseConfig(strings.NewReader(b.String()), "many.ini")
	require.NoError(t, err)
	require.Len(t, cfg.Policies, len(names))
	assert.Equal(t, []string{"https://p19999.example"}, cfg.Policies[19999].AllowedOrigins)

	// Repeated keys are found without comparing every pair.
	b.Reset()
	b.WriteString("origin = https://app.example\n")
	for range 40000 {
		b.WriteString("maxage = 1\n")
	}
	_, err = cors.ParseConfig(strings.NewReader(b.String()), "dup.ini")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "key already set on line 2")
	assert.Contains(t, err.Error(), "more problems")
}

// BenchmarkParseConfig40000Keys times the file of TestParseConfigLarge.
func BenchmarkParseConfig40000Keys(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("[filter:cors]\npolicy = api\napi_origin = https://app.example\n")
	for i := range 40000 {
		fmt.Fprintf(&sb, "api_nonsense%d = 1\n", i)
	}
	text := sb.String()
	for b.Loop() {
		_, _ = cors.ParseConfig(strings.NewReader(text), "big.ini")
	}
}
