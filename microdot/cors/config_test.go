package cors_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/microdot-go/microdot/microdot/cors"
)

// configErrors returns the *cors.ConfigError values joined in err.
func configErrors(t *testing.T, err error) []*cors.ConfigError {
	t.Helper()
	var out []*cors.ConfigError
	var walk func(error)
	walk = func(e error) {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		var ce *cors.ConfigError
		require.True(t, errors.As(e, &ce), "not a *cors.ConfigError: %v", e)
		out = append(out, ce)
	}
	walk(err)
	return out
}

// TestConfigErrors is the configuration error table: every invalid or
// insecure configuration is refused with a message that names the value at
// fault and says what to write instead. The first rows follow the error table
// of jub0bs/cors, with our wording; where jub0bs refuses "null" outright we
// accept it without credentials (it must be listed literally).
func TestConfigErrors(t *testing.T) {
	origin := func(o ...string) cors.Config { return cors.Config{AllowedOrigins: o} }
	cred := func(o ...string) cors.Config { return cors.Config{AllowedOrigins: o, AllowCredentials: true} }
	ok := []string{"https://example.com"}
	tests := []struct {
		name  string
		cfg   cors.Config
		field string
		value string
		want  []string // substrings of the message
	}{
		{"no origin", cors.Config{}, "AllowedOrigins", "", []string{"no origin is allowed"}},
		{"empty origin list", cors.Config{AllowedOrigins: []string{}}, "AllowedOrigins", "", []string{"no origin is allowed"}},
		{"any with credentials", cred("*"), "AllowedOrigins", "*", []string{"every origin together with credentials"}},
		{"copy with credentials", cred("copy"), "AllowedOrigins", "copy", []string{"reflecting every origin"}},
		{"null with credentials", cred("null"), "AllowedOrigins", "null", []string{`"null" is the origin of sandboxed frames`}},
		{"file scheme", origin("file:///x"), "AllowedOrigins", "file:///x", []string{"opaque origin", "accepted forms"}},
		{"default https port", origin("https://example.com:443"), "AllowedOrigins", "https://example.com:443", []string{"default port", `write "https://example.com"`}},
		{"default http port", origin("http://example.com:80"), "AllowedOrigins", "http://example.com:80", []string{"default port"}},
		{"trailing slash", origin("https://example.com/"), "AllowedOrigins", "https://example.com/", []string{"trailing slash", `write "https://example.com"`}},
		{"path", origin("https://example.com/app"), "AllowedOrigins", "https://example.com/app", []string{"path"}},
		{"query", origin("https://example.com?a=b"), "AllowedOrigins", "https://example.com?a=b", []string{"query"}},
		{"fragment", origin("https://example.com#x"), "AllowedOrigins", "https://example.com#x", []string{"fragment"}},
		{"question mark glob", origin("https://example?.com"), "AllowedOrigins", "https://example?.com", []string{"single-character wildcard"}},
		{"upper case", origin("https://Example.com"), "AllowedOrigins", "https://Example.com", []string{"lower case", `"https://example.com"`}},
		{"upper-case scheme", origin("HTTPS://example.com"), "AllowedOrigins", "HTTPS://example.com", []string{"lower case"}},
		{"glob without dot", origin("https://*example.com"), "AllowedOrigins", "https://*example.com", []string{"whole leading label"}},
		{"suffix glob", origin("https://example.*"), "AllowedOrigins", "https://example.*", []string{"whole leading label"}},
		{"prefix glob (gin CVE-2019-25211)", origin("https://example.com*"), "AllowedOrigins", "https://example.com*", []string{"whole leading label"}},
		{"any host", origin("https://*"), "AllowedOrigins", "https://*", []string{"whole leading label"}},
		{"rs/cors#197 h*", cred("h*"), "AllowedOrigins", "h*", []string{"not an origin"}},
		{"no scheme", origin("example.com"), "AllowedOrigins", "example.com", []string{`write "https://example.com"`}},
		{"no scheme wildcard", origin("*.example.com"), "AllowedOrigins", "*.example.com", []string{`write "https://*.example.com"`}},
		{"userinfo", origin("https://user@example.com"), "AllowedOrigins", "https://user@example.com", []string{"user information"}},
		{"whitespace", origin(" https://example.com"), "AllowedOrigins", " https://example.com", []string{"whitespace"}},
		{"two origins in one entry", origin("https://a.com https://b.com"), "AllowedOrigins", "https://a.com https://b.com", []string{"whitespace"}},
		{"port out of range", origin("https://example.com:65536"), "AllowedOrigins", "https://example.com:65536", []string{"invalid port"}},
		{"port zero", origin("https://example.com:0"), "AllowedOrigins", "https://example.com:0", []string{"invalid port"}},
		{"port leading zero", origin("https://example.com:08080"), "AllowedOrigins", "https://example.com:08080", []string{"leading zeros"}},
		{"empty port", origin("https://example.com:"), "AllowedOrigins", "https://example.com:", []string{"empty port"}},
		{"partial port wildcard", origin("http://localhost:80*"), "AllowedOrigins", "http://localhost:80*", []string{`":*"`}},
		{"trailing dot", origin("https://example.com."), "AllowedOrigins", "https://example.com.", []string{"trailing dot"}},
		{"empty label", origin("https://a..example.com"), "AllowedOrigins", "https://a..example.com", []string{"invalid host"}},
		{"unicode host", origin("https://bücher.example"), "AllowedOrigins", "https://bücher.example", []string{"punycode"}},
		{"bad ipv4", origin("http://192.168.1.256"), "AllowedOrigins", "http://192.168.1.256", []string{"invalid IPv4"}},
		{"hex ipv4", origin("http://0x7f.1"), "AllowedOrigins", "http://0x7f.1", []string{"invalid IPv4"}},
		{"long ipv6", origin("http://[0:0:0:0:0:0:0:1]"), "AllowedOrigins", "http://[0:0:0:0:0:0:0:1]", []string{`"http://[::1]"`}},
		{"ipv6 zone", origin("http://[fe80::1%25eth0]"), "AllowedOrigins", "http://[fe80::1%25eth0]", []string{"IPv6"}},
		{"wildcard over ip", origin("http://*.127.0.0.1"), "AllowedOrigins", "http://*.127.0.0.1", []string{"IP address"}},
		{"empty entry", origin(""), "AllowedOrigins", "", []string{"empty string"}},
		{"insecure with credentials", cred("http://example.com"), "AllowedOrigins", "http://example.com", []string{"plain-http", "DangerouslyAllowInsecureOrigins"}},
		{"insecure wildcard with credentials", cred("http://*.example.com"), "AllowedOrigins", "http://*.example.com", []string{"plain-http"}},
		{"public suffix with credentials", cred("https://*.com"), "AllowedOrigins", "https://*.com", []string{`subdomain of "com"`, "DangerouslyAllowPublicSuffixWildcards"}},
		{"multi-tenant with credentials", cred("https://*.github.io"), "AllowedOrigins", "https://*.github.io", []string{`"github.io"`}},
		{"country second level with credentials", cred("https://*.co.uk"), "AllowedOrigins", "https://*.co.uk", []string{`"co.uk"`}},
		{"org.uk with credentials", cred("https://*.org.uk"), "AllowedOrigins", "https://*.org.uk", []string{`"org.uk"`, "public suffix"}},
		{"me.uk with credentials", cred("https://*.me.uk"), "AllowedOrigins", "https://*.me.uk", []string{`"me.uk"`}},
		{"dynamic DNS ddns.net with credentials", cred("https://*.ddns.net"), "AllowedOrigins", "https://*.ddns.net", []string{`"ddns.net"`}},
		{"dynamic DNS synology.me with credentials", cred("https://*.synology.me"), "AllowedOrigins", "https://*.synology.me", []string{`"synology.me"`}},
		{"dynamic DNS no-ip.org with credentials", cred("https://*.no-ip.org"), "AllowedOrigins", "https://*.no-ip.org", []string{`"no-ip.org"`}},
		{"dynamic DNS myqnapcloud.com with credentials", cred("https://*.myqnapcloud.com"), "AllowedOrigins", "https://*.myqnapcloud.com", []string{`"myqnapcloud.com"`}},
		{"S3 region with credentials", cred("https://*.s3.us-east-2.amazonaws.com"), "AllowedOrigins", "https://*.s3.us-east-2.amazonaws.com", []string{`"s3.us-east-2.amazonaws.com"`}},
		{"unlisted top-level domain with credentials", cred("https://*.internal"), "AllowedOrigins", "https://*.internal", []string{`"internal"`}},
		{"forbidden method CONNECT", cors.Config{AllowedOrigins: ok, AllowedMethods: []string{"CONNECT"}}, "AllowedMethods", "CONNECT", []string{"never send"}},
		{"forbidden method trace", cors.Config{AllowedOrigins: ok, AllowedMethods: []string{"trace"}}, "AllowedMethods", "trace", []string{"never send"}},
		{"forbidden method TRACK", cors.Config{AllowedOrigins: ok, AllowedMethods: []string{"TRACK"}}, "AllowedMethods", "TRACK", []string{"never send"}},
		{"invalid method", cors.Config{AllowedOrigins: ok, AllowedMethods: []string{"bad method"}}, "AllowedMethods", "bad method", []string{"not a method name"}},
		{"empty method", cors.Config{AllowedOrigins: ok, AllowedMethods: []string{""}}, "AllowedMethods", "", []string{"not a method name"}},
		{"forbidden header Cookie", cors.Config{AllowedOrigins: ok, AllowedHeaders: []string{"Cookie"}}, "AllowedHeaders", "Cookie", []string{"forbidden request-header name"}},
		{"forbidden header Sec-Foo", cors.Config{AllowedOrigins: ok, AllowedHeaders: []string{"Sec-Foo"}}, "AllowedHeaders", "Sec-Foo", []string{"forbidden request-header name"}},
		{"forbidden header Proxy-Foo", cors.Config{AllowedOrigins: ok, AllowedHeaders: []string{"Proxy-Foo"}}, "AllowedHeaders", "Proxy-Foo", []string{"forbidden request-header name"}},
		{"forbidden header Origin", cors.Config{AllowedOrigins: ok, AllowedHeaders: []string{"origin"}}, "AllowedHeaders", "origin", []string{"forbidden request-header name"}},
		{"prohibited header ACAO", cors.Config{AllowedOrigins: ok, AllowedHeaders: []string{"Access-Control-Allow-Origin"}}, "AllowedHeaders", "Access-Control-Allow-Origin", []string{"CORS protocol itself"}},
		{"invalid header", cors.Config{AllowedOrigins: ok, AllowedHeaders: []string{"bad header"}}, "AllowedHeaders", "bad header", []string{"not a header name"}},
		{"expose Set-Cookie", cors.Config{AllowedOrigins: ok, ExposeHeaders: []string{"Set-Cookie"}}, "ExposeHeaders", "Set-Cookie", []string{"cookies"}},
		{"expose set-cookie2", cors.Config{AllowedOrigins: ok, ExposeHeaders: []string{"set-cookie2"}}, "ExposeHeaders", "set-cookie2", []string{"cookies"}},
		{"expose star with credentials", cors.Config{AllowedOrigins: ok, AllowCredentials: true, ExposeHeaders: []string{"*"}}, "ExposeHeaders", "*", []string{`literally named "*"`}},
		{"expose invalid", cors.Config{AllowedOrigins: ok, ExposeHeaders: []string{"a b"}}, "ExposeHeaders", "a b", []string{"not a header name"}},
		{"max age too large", cors.Config{AllowedOrigins: ok, MaxAge: 86401}, "MaxAge", "86401", []string{"out of range", "-1 to disable"}},
		{"max age below -1", cors.Config{AllowedOrigins: ok, MaxAge: -2}, "MaxAge", "-2", []string{"out of range"}},
		{"bad strategy", cors.Config{AllowedOrigins: ok, MatchStrategy: "lastmatch"}, "MatchStrategy", "lastmatch", []string{"firstmatch"}},
		{"bad preflight status", cors.Config{AllowedOrigins: ok, PreflightStatus: 302}, "PreflightStatus", "302", []string{"2xx"}},
		{"policies and single fields", cors.Config{AllowedOrigins: ok, Policies: []cors.Policy{{Name: "a", AllowedOrigins: ok}}}, "AllowedOrigins", "", []string{"not both"}},
		{"policy without name", cors.Config{Policies: []cors.Policy{{AllowedOrigins: ok}}}, "Name", "", []string{"policy name"}},
		{"policy bad name", cors.Config{Policies: []cors.Policy{{Name: "a b", AllowedOrigins: ok}}}, "Name", "a b", []string{"policy name"}},
		{"policy duplicate name", cors.Config{Policies: []cors.Policy{{Name: "a", AllowedOrigins: ok}, {Name: "a", AllowedOrigins: ok}}}, "Name", "a", []string{"unique"}},
		{"policy without origin", cors.Config{Policies: []cors.Policy{{Name: "a"}}}, "AllowedOrigins", "", []string{"no origin"}},
		{"deny with fields", cors.Config{Policies: []cors.Policy{{Name: "a", AllowedOrigins: ok}, {Name: "deny", MaxAge: 5}}}, "MaxAge", "", []string{"deny policy"}},
		{"only deny", cors.Config{Policies: []cors.Policy{{Name: "deny"}}}, "Policies", "", []string{"nothing can ever be allowed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := cors.New(nil, tt.cfg)
			require.Error(t, err)
			assert.Nil(t, c)
			errs := configErrors(t, err)
			require.Len(t, errs, 1, "%v", err)
			e := errs[0]
			assert.Equal(t, tt.field, e.Field)
			assert.Equal(t, tt.value, e.Value)
			assert.True(t, strings.HasPrefix(err.Error(), "cors: "), err.Error())
			if tt.value != "" {
				assert.Contains(t, err.Error(), `"`+tt.value+`"`, "the message names the value")
			}
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

// TestConfigAccepted lists configurations that must be accepted.
func TestConfigAccepted(t *testing.T) {
	tests := []struct {
		name string
		cfg  cors.Config
	}{
		{"exact", cors.Config{AllowedOrigins: []string{"https://example.com"}}},
		{"port", cors.Config{AllowedOrigins: []string{"https://example.com:8443"}}},
		{"any", cors.Config{AllowedOrigins: []string{"*"}}},
		{"copy", cors.Config{AllowedOrigins: []string{"copy"}}},
		{"null without credentials", cors.Config{AllowedOrigins: []string{"null"}}},
		{"subdomains", cors.Config{AllowedOrigins: []string{"https://*.example.com"}, AllowCredentials: true}},
		{"subdomains any port", cors.Config{AllowedOrigins: []string{"https://*.example.com:*"}}},
		{"localhost any port with credentials", cors.Config{AllowedOrigins: []string{"http://localhost:*"}, AllowCredentials: true}},
		{"loopback with credentials", cors.Config{AllowedOrigins: []string{"http://127.0.0.1:3000", "http://[::1]:3000", "http://app.localhost"}, AllowCredentials: true}},
		{"ip", cors.Config{AllowedOrigins: []string{"http://192.168.1.10", "http://[2001:db8::1]:8080"}}},
		{"other schemes", cors.Config{AllowedOrigins: []string{"chrome-extension://abcdefghijklmnop", "tauri://localhost", "capacitor://localhost"}}},
		{"punycode", cors.Config{AllowedOrigins: []string{"https://xn--bcher-kva.example"}}},
		{"public suffix wildcard without credentials", cors.Config{AllowedOrigins: []string{"https://*.github.io"}}},
		{"registrable domains with credentials", cors.Config{AllowedOrigins: []string{"https://*.example.co.uk", "https://*.home.ddns.net", "https://*.nas.synology.me", "https://*.example.org.uk", "https://*.example.com"}, AllowCredentials: true}},
		{"dynamic DNS with opt-in", cors.Config{AllowedOrigins: []string{"https://*.ddns.net"}, AllowCredentials: true, DangerouslyAllowPublicSuffixWildcards: true}},
		{"insecure with opt-in", cors.Config{AllowedOrigins: []string{"http://intranet.example"}, AllowCredentials: true, DangerouslyAllowInsecureOrigins: true}},
		{"public suffix with opt-in", cors.Config{AllowedOrigins: []string{"https://*.com"}, AllowCredentials: true, DangerouslyAllowPublicSuffixWildcards: true}},
		{"methods normalised and custom", cors.Config{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"get", "Post", "PATCH", "purge", "*"}}},
		{"headers star and authorization", cors.Config{AllowedOrigins: []string{"*"}, AllowedHeaders: []string{"*", "Authorization"}}},
		{"expose star", cors.Config{AllowedOrigins: []string{"*"}, ExposeHeaders: []string{"*"}}},
		{"max age bounds", cors.Config{AllowedOrigins: []string{"*"}, MaxAge: cors.MaxMaxAge}},
		{"max age -1", cors.Config{AllowedOrigins: []string{"*"}, MaxAge: -1}},
		{"preflight status 200", cors.Config{AllowedOrigins: []string{"*"}, PreflightStatus: 200}},
		{"policies", cors.Config{MatchStrategy: cors.VerbMatch, Policies: []cors.Policy{
			{Name: "a", AllowedOrigins: []string{"https://a.example"}}, {Name: "deny"}, {Name: "b", AllowedOrigins: []string{"*"}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := cors.New(nil, tt.cfg)
			require.NoError(t, err)
		})
	}
}

// TestConfigErrorsAllReported checks that every problem is reported at once.
func TestConfigErrorsAllReported(t *testing.T) {
	_, err := cors.New(nil, cors.Config{
		AllowedOrigins:   []string{"*", "https://Example.com", "http://evil.example"},
		AllowCredentials: true,
		AllowedMethods:   []string{"CONNECT", "GET"},
		AllowedHeaders:   []string{"Cookie"},
		ExposeHeaders:    []string{"*", "Set-Cookie"},
		MaxAge:           -5,
	})
	require.Error(t, err)
	errs := configErrors(t, err)
	assert.Len(t, errs, 8, "%v", err)
	for _, v := range []string{`"*"`, `"https://Example.com"`, `"http://evil.example"`, `"CONNECT"`, `"Cookie"`, `"Set-Cookie"`, `"-5"`} {
		assert.Contains(t, err.Error(), v)
	}
	// Each problem on its own line, as errors.Join does.
	assert.Len(t, strings.Split(err.Error(), "\n"), 8)
}

func TestConfigErrorFormat(t *testing.T) {
	e := &cors.ConfigError{Policy: "api", Field: "MaxAge", Value: "-2", Problem: "out of range"}
	assert.Equal(t, `cors: policy "api": MaxAge "-2": out of range`, e.Error())
	e = &cors.ConfigError{Field: "AllowedOrigins", Problem: "none"}
	assert.Equal(t, `cors: AllowedOrigins: none`, e.Error())
}

// TestConfigDeepCopy checks that Config returns a copy that shares nothing
// with the configuration in force, and that New copies its argument.
func TestConfigDeepCopy(t *testing.T) {
	in := cors.Config{
		AllowedOrigins: []string{"https://a.example"},
		AllowedMethods: []string{"PUT"},
		AllowedHeaders: []string{"X-A"},
		ExposeHeaders:  []string{"X-B"},
	}
	c := mustNew(t, in)
	in.AllowedOrigins[0] = "https://evil.example"
	got := c.Config()
	assert.Equal(t, []string{"https://a.example"}, got.AllowedOrigins, "New copies its argument")
	got.AllowedOrigins[0] = "https://evil.example"
	got.AllowedMethods[0] = "DELETE"
	got.AllowedHeaders[0] = "X-Evil"
	got.ExposeHeaders[0] = "X-Evil"
	again := c.Config()
	assert.Equal(t, []string{"https://a.example"}, again.AllowedOrigins)
	assert.Equal(t, []string{"PUT"}, again.AllowedMethods)
	assert.Equal(t, []string{"X-A"}, again.AllowedHeaders)
	assert.Equal(t, []string{"X-B"}, again.ExposeHeaders)

	w := serve(c, req("GET", "/", "Origin", "https://evil.example"))
	assert.Empty(t, w.Header().Get("Access-Control-Allow-Origin"))

	// Policies too.
	c = mustNew(t, cors.Config{Policies: []cors.Policy{{Name: "p", AllowedOrigins: []string{"https://a.example"}}}})
	got = c.Config()
	got.Policies[0].AllowedOrigins[0] = "https://evil.example"
	assert.Equal(t, "https://a.example", c.Config().Policies[0].AllowedOrigins[0])
}

// TestConfigNilAndEmpty checks that Config keeps nil and empty lists apart,
// since they mean different things (nil AllowedHeaders: any header; empty:
// none).
func TestConfigNilAndEmpty(t *testing.T) {
	c := mustNew(t, cors.Config{AllowedOrigins: []string{"*"}, AllowedHeaders: []string{}})
	got := c.Config()
	assert.NotNil(t, got.AllowedHeaders)
	assert.Empty(t, got.AllowedHeaders)
	assert.Nil(t, got.AllowedMethods)
	assert.Equal(t, got, c.Config())
	// Round trip: Update with no change keeps everything.
	require.NoError(t, c.Update(func(*cors.Config) {}))
	assert.Equal(t, got, c.Config())
	require.NoError(t, c.Update(nil))
	assert.Equal(t, got, c.Config())
}

// TestUpdate checks that Update validates, and on error changes nothing.
func TestUpdate(t *testing.T) {
	c := mustNew(t, cors.Config{AllowedOrigins: []string{"https://a.example"}})
	allowed := func(o string) bool {
		return serve(c, req("GET", "/", "Origin", o)).Header().Get("Access-Control-Allow-Origin") == o
	}
	require.True(t, allowed("https://a.example"))
	require.False(t, allowed("https://b.example"))

	require.NoError(t, c.Update(func(cfg *cors.Config) {
		cfg.AllowedOrigins = append(cfg.AllowedOrigins, "https://b.example")
	}))
	assert.True(t, allowed("https://b.example"))
	assert.Equal(t, []string{"https://a.example", "https://b.example"}, c.Config().AllowedOrigins)

	err := c.Update(func(cfg *cors.Config) {
		cfg.AllowedOrigins = []string{"*"}
		cfg.AllowCredentials = true
	})
	require.Error(t, err)
	assert.Len(t, configErrors(t, err), 1)
	assert.True(t, allowed("https://b.example"), "a failed Update changes nothing")
	assert.False(t, c.Config().AllowCredentials)

	// The function receives a copy: keeping it and changing it later does
	// nothing.
	var kept *cors.Config
	require.NoError(t, c.Update(func(cfg *cors.Config) { kept = cfg }))
	kept.AllowedOrigins[0] = "https://evil.example"
	assert.False(t, allowed("https://evil.example"))
}

// TestZeroCORS checks that a zero CORS (not made by New) does nothing
// harmful: no headers, handler runs, and Update can configure it.
func TestZeroCORS(t *testing.T) {
	var c cors.CORS
	w := serve(&c, req("OPTIONS", "/", "Origin", "https://a.example", "Access-Control-Request-Method", "PUT"))
	assert.Equal(t, handlerStatus, w.Code)
	assert.Empty(t, corsHeaders(w.Header()))
	assert.Empty(t, c.GetCORSHeaders(req("GET", "/", "Origin", "https://a.example")))
	assert.Equal(t, cors.Config{}, c.Config())
	require.Error(t, c.Update(nil))
	require.NoError(t, c.Update(func(cfg *cors.Config) { cfg.AllowedOrigins = []string{"*"} }))
	w = serve(&c, req("GET", "/", "Origin", "https://a.example"))
	assert.Equal(t, "*", w.Header().Get("Access-Control-Allow-Origin"))
}
