package csrf_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/cors"
	"github.com/microdot-go/microdot/microdot/csrf"
)

func noContent(*microdot.Request) (*microdot.Response, error) {
	return microdot.Text("").WithStatus(http.StatusNoContent), nil
}

type row struct {
	method, path string
	header       []string
	status       int
}

func run(t *testing.T, c *microdot.TestClient, rows []row) {
	t.Helper()
	for _, r := range rows {
		res := c.Request(r.method, r.path, nil, r.header...)
		assert.Equal(t, r.status, res.StatusCode, "%s %s %q", r.method, r.path, r.header)
	}
}

// microdotRows are the rows that Microdot's test_protect_all_true,
// test_protect_all_false and test_allow_subdomains share; only the status of
// a same-site POST differs.
func microdotRows(sameSite int) []row {
	return []row{
		{"GET", "/", nil, 204},
		{"GET", "/", []string{"Sec-Fetch-Site", "cross-site"}, 204},
		{"GET", "/", []string{"Origin", "https://evil.com"}, 204},
		{"POST", "/submit", nil, 204},
		{"POST", "/submit", []string{"Sec-Fetch-Site", "cross-site"}, 403},
		{"POST", "/submit", []string{"Sec-Fetch-Site", "same-site"}, sameSite},
		{"POST", "/submit", []string{"Sec-Fetch-Site", "same-origin"}, 204},
		{"POST", "/submit-exempt", nil, 204},
		{"POST", "/submit-exempt", []string{"Sec-Fetch-Site", "cross-site"}, 204},
	}
}

// Microdot's test_protect_all_true.
func TestProtectAll(t *testing.T) {
	app := microdot.New()
	x, err := csrf.New(app, nil)
	require.NoError(t, err)
	app.Get("/", noContent)
	app.Post("/submit", noContent)
	app.Post("/submit-exempt", x.Exempt(noContent))
	app.Get("/get-protected", x.Protect(noContent))
	run(t, microdot.NewTestClient(app), append(microdotRows(403),
		row{"GET", "/get-protected", nil, 204},
		row{"GET", "/get-protected", []string{"Sec-Fetch-Site", "cross-site"}, 403},
	))
}

// Microdot's test_protect_all_false: with no App, only Protect checks.
func TestProtectPerRoute(t *testing.T) {
	app := microdot.New()
	x, err := csrf.New(nil, nil)
	require.NoError(t, err)
	app.Get("/", noContent)
	app.Post("/submit", x.Protect(noContent))
	app.Post("/submit-exempt", noContent)
	run(t, microdot.NewTestClient(app), microdotRows(403))
}

// Microdot's test_allow_subdomains, the exempt route named by its pattern
// (so the cross-site request may come first).
func TestAllowSubdomains(t *testing.T) {
	app := microdot.New()
	x, err := csrf.New(app, nil)
	require.NoError(t, err)
	x.AllowSubdomains = true
	app.Get("/", noContent)
	app.Post("/submit", noContent)
	app.Post("/submit-exempt", noContent)
	x.ExemptRoute("/submit-exempt")
	rows := microdotRows(204)
	rows[7], rows[8] = rows[8], rows[7]
	run(t, microdot.NewTestClient(app), rows)
}

func newCORS(t *testing.T, origins ...string) *cors.CORS {
	t.Helper()
	c, err := cors.New(nil, cors.Config{AllowedOrigins: origins})
	require.NoError(t, err)
	return c
}

// Microdot's test_allowed_origins and test_allowed_origins_with_subdomains.
func TestAllowedOrigins(t *testing.T) {
	common := []row{
		{"GET", "/", nil, 204},
		{"GET", "/", []string{"Origin", "http://foo.com"}, 204},
		{"GET", "/", []string{"Origin", "https://baz.com"}, 204},
		{"GET", "/", []string{"Origin", "http://x.baz.com"}, 204},
		{"POST", "/submit", nil, 204},
		{"POST", "/submit", []string{"Origin", "https://bar.com:8888"}, 204},
		{"POST", "/submit", []string{"Origin", "http://bar.com:8888"}, 403},
		{"POST", "/submit", []string{"Origin", "http://baz.com"}, 403},
	}
	tests := []struct {
		name       string
		subdomains bool
		rows       []row
	}{
		{"exact", false, append(common,
			row{"POST", "/submit", []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://bar.com:8888"}, 204},
			row{"POST", "/submit", []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://bar.com:8889"}, 403},
			row{"POST", "/submit", []string{"Sec-Fetch-Site", "cross-site"}, 403},
			row{"POST", "/submit", []string{"Origin", "https://x.y.bar.com:8888"}, 403},
		)},
		{"subdomains", true, append(common,
			row{"POST", "/submit", []string{"Origin", "https://x.y.bar.com:8888"}, 204},
			row{"POST", "/submit", []string{"Origin", "http://x.y.bar.com:8888"}, 403},
			row{"POST", "/submit", []string{"Origin", "https://x.y.bar.com:8889"}, 403},
			row{"POST", "/submit", []string{"Origin", "https://xbar.com:8888"}, 403},
		)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := microdot.New()
			x, err := csrf.New(app, newCORS(t, "http://foo.com", "https://bar.com:8888"))
			require.NoError(t, err)
			x.AllowSubdomains = tt.subdomains
			app.Get("/", noContent)
			app.Post("/submit", noContent)
			run(t, microdot.NewTestClient(app), tt.rows)
		})
	}
}

// What browsers send for the attacks that matter, against an App whose
// CORS policy lists its dashboard.
func TestBrowserAttacks(t *testing.T) {
	app := microdot.New()
	changed := 0
	_, err := csrf.New(app, newCORS(t, "http://dashboard.lan.example:8081"))
	require.NoError(t, err)
	app.Post("/settings", func(*microdot.Request) (*microdot.Response, error) {
		changed++
		return microdot.Text("changed"), nil
	})
	c := microdot.NewTestClient(app)
	c.BaseURL = "http://camera.lan.example:8080"
	attacks := map[string][]string{
		"cross-site form post": {"Content-Type", "application/x-www-form-urlencoded",
			"Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate", "Origin", "https://evil.example"},
		"text/plain fetch (no preflight)": {"Content-Type", "text/plain",
			"Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "no-cors", "Origin", "https://evil.example"},
		"same-site sibling": {"Content-Type", "text/plain",
			"Sec-Fetch-Site", "same-site", "Origin", "http://printer.lan.example"},
		"same-site sibling, old browser": {"Content-Type", "text/plain", "Origin", "http://printer.lan.example"},
		"null origin (sandboxed frame)":  {"Content-Type", "text/plain", "Sec-Fetch-Site", "cross-site", "Origin", "null"},
		"old browser, foreign origin":    {"Content-Type", "application/x-www-form-urlencoded", "Origin", "https://evil.example"},
	}
	for name, header := range attacks {
		res := c.Request("POST", "/settings", "brightness=0", header...)
		assert.Equal(t, http.StatusForbidden, res.StatusCode, name)
		assert.Contains(t, res.Text(), "cross-site request")
	}
	assert.Zero(t, changed, "no attack changed the settings")

	allowed := map[string][]string{
		"same origin":                {"Sec-Fetch-Site", "same-origin", "Origin", "http://camera.lan.example:8080"},
		"same origin, old browser":   {"Origin", "http://camera.lan.example:8080"},
		"typed in the address bar":   {"Sec-Fetch-Site", "none"},
		"the dashboard (CORS)":       {"Sec-Fetch-Site", "same-site", "Origin", "http://dashboard.lan.example:8081"},
		"a program (no browser)":     nil,
		"the dashboard, old browser": {"Origin", "http://dashboard.lan.example:8081"},
	}
	for name, header := range allowed {
		res := c.Request("POST", "/settings", "brightness=50", header...)
		assert.Equal(t, http.StatusOK, res.StatusCode, name)
	}
}

// "*" in the CORS policy trusts nobody for writes; Update is followed.
func TestCORSPolicyChanges(t *testing.T) {
	app := microdot.New()
	c := newCORS(t, "*")
	_, err := csrf.New(app, c)
	require.NoError(t, err)
	app.Post("/", noContent)
	client := microdot.NewTestClient(app)
	origin := []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://partner.example"}
	assert.Equal(t, 403, client.Post("/", nil, origin...).StatusCode)
	require.NoError(t, c.Update(func(cfg *cors.Config) { cfg.AllowedOrigins = []string{"https://partner.example"} }))
	assert.Equal(t, 204, client.Post("/", nil, origin...).StatusCode)
}

// Exempt learns its route when it first serves a request; ExemptRoute
// needs no learning; the exemption covers only the method it was learnt for.
func TestExemptions(t *testing.T) {
	app := microdot.New()
	x, err := csrf.New(app, nil)
	require.NoError(t, err)
	app.Post("/hook/<id>", x.Exempt(noContent))
	app.Put("/hook/<id>", noContent)
	api := microdot.New()
	api.Post("/callback", noContent)
	app.Mount("/api", api)
	x.ExemptRoute("/api/callback")
	c := microdot.NewTestClient(app)
	cross := []string{"Sec-Fetch-Site", "cross-site"}
	run(t, c, []row{
		{"POST", "/api/callback", cross, 204},
		{"POST", "/hook/1", cross, 403}, // not learnt yet
		{"POST", "/hook/1", nil, 204},   // learnt here
		{"POST", "/hook/2", cross, 204},
		{"PUT", "/hook/2", cross, 403},
	})
}

func TestForbiddenExplains(t *testing.T) {
	x, err := csrf.New(nil, nil)
	require.NoError(t, err)
	r, _ := http.NewRequest(http.MethodPost, "http://camera.local/", strings.NewReader(""))
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	err = x.Check(r)
	var he *microdot.HTTPError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, http.StatusForbidden, he.Status)
	r.Method = http.MethodGet
	assert.NoError(t, x.Check(r))
}
