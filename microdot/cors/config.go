package cors

import (
	"log/slog"
	"slices"
	"strconv"
	"strings"
)

// MaxMaxAge is the largest MaxAge accepted, in seconds (one day). Browsers
// cap the preflight cache anyway: Chromium at 7200 s, Firefox at 86400 s,
// WebKit at 600 s.
const MaxMaxAge = 86400

// DenyPolicy is the reserved policy name that ends the search for a
// matching policy with nothing allowed.
const DenyPolicy = "deny"

// Config describes a CORS policy. The zero value allows nothing and is
// rejected by New; set at least AllowedOrigins.
//
// The fields from AllowedOrigins to AllowPrivateNetwork describe a single
// policy. To choose among several policies by origin (and method), leave them
// unset and fill Policies instead.
type Config struct {
	// AllowedOrigins lists the origins whose scripts may read responses.
	// Each entry is one of:
	//
	//	"*"                            any origin; responses carry the literal "*"
	//	"https://app.example.com"      exactly that origin (a non-default port is written out)
	//	"https://*.example.com"        any subdomain, one or more labels deep, never example.com itself
	//	"http://localhost:*"           that scheme and host on any port, or none
	//	"null"                         the opaque origin, literally
	//	"copy"                         any well-formed origin, reflected (never "null")
	//
	// Anything else is a configuration error. "*", "copy" and "null"
	// cannot be combined with AllowCredentials.
	AllowedOrigins []string

	// AllowCredentials lets browsers send cookies and HTTP authentication
	// with cross-origin requests and let scripts read the responses:
	// responses carry Access-Control-Allow-Credentials: true. Use it only
	// with origins you trust with your users' sessions.
	AllowCredentials bool

	// AllowedMethods lists the methods a preflight may ask for. The
	// methods DELETE, GET, HEAD, OPTIONS, POST and PUT are upper-cased;
	// others are compared exactly as written, as browsers do. "*" allows
	// any method. GET, HEAD and POST are always allowed: browsers never
	// check them against Access-Control-Allow-Methods.
	//
	// In an App, a preflight's method must also be served by the route at
	// the request's path; nil then allows exactly the methods the route
	// serves. In Handler, which knows nothing of routes, nil allows only
	// GET, HEAD and POST.
	AllowedMethods []string

	// ExposeHeaders lists the response headers, beyond the CORS-safelisted
	// ones, that scripts may read. "*" exposes every header, and is
	// accepted only without credentials. Set-Cookie can never be exposed.
	ExposeHeaders []string

	// AllowedHeaders lists the request headers a preflight may ask for,
	// compared case-insensitively. nil allows every header, Authorization
	// included, as Microdot's allowed_headers=None does: the answer names
	// each requested header. A list narrows it: only the listed names,
	// where an entry "*" stands for any name except Authorization, which
	// (as in the Fetch standard's wildcard) must then be listed by name.
	// An empty, non-nil list allows no header.
	AllowedHeaders []string

	// MaxAge is how long, in seconds, browsers may cache a successful
	// preflight: 0 omits Access-Control-Max-Age (browsers then cache for
	// 5 s), -1 sends 0 (no caching), and 1 to MaxMaxAge send that value.
	// Update cannot recall a preflight a browser has cached: after an
	// Update that narrows the policy, a browser may go on sending what a
	// cached preflight allowed for up to MaxAge seconds (the actual
	// responses still follow the new policy).
	MaxAge int

	// AllowPrivateNetwork answers Private Network Access preflights
	// (Access-Control-Request-Private-Network: true) with
	// Access-Control-Allow-Private-Network: true, for the clients that
	// still send them. Current Chromium no longer does: it asks the user
	// for Local Network Access permission instead, whatever the server
	// answers (see the package documentation).
	AllowPrivateNetwork bool

	// Policies, when not empty, replaces the single policy above (whose
	// fields must then be left unset) with an ordered list of named
	// policies, as in wsgicors. MatchStrategy says how one is chosen for a
	// request; a Policy named DenyPolicy ends the search.
	Policies []Policy

	// MatchStrategy chooses among Policies: FirstMatch (the default) takes
	// the first policy whose origins match; VerbMatch the first whose
	// origins and methods both match.
	MatchStrategy MatchStrategy

	// PreflightStatus is the status of a successful preflight response:
	// 0 means 204 No Content. Some old clients need 200; any 2xx status is
	// accepted.
	PreflightStatus int

	// Logger, when not nil, receives one debug-level record for every
	// preflight that fails, saying which check failed. Nothing is logged,
	// and nothing is spent, when it is nil or debug records are disabled.
	Logger *slog.Logger

	// DangerouslyAllowInsecureOrigins accepts plain-http origins (other
	// than localhost and loopback addresses) together with
	// AllowCredentials. Anyone on the network path of such a page can
	// inject script into it and then act with your users' credentials.
	DangerouslyAllowInsecureOrigins bool

	// DangerouslyAllowPublicSuffixWildcards accepts subdomain wildcards
	// over a public suffix ("https://*.com", "https://*.github.io")
	// together with AllowCredentials. Anyone can get a subdomain there.
	DangerouslyAllowPublicSuffixWildcards bool
}

// Policy is one named policy of Config.Policies, for services that trust
// different origins differently (a credentialed policy for the company's
// own front ends, an anonymous one for everyone else). Its fields mean what
// the fields of the same name mean in Config.
type Policy struct {
	// Name identifies the policy in errors and in configuration files:
	// letters, digits, '_', '-' and '.'. A policy named DenyPolicy must
	// have no other field set.
	Name                string
	AllowedOrigins      []string
	AllowCredentials    bool
	AllowedMethods      []string
	ExposeHeaders       []string
	AllowedHeaders      []string
	MaxAge              int
	AllowPrivateNetwork bool
}

// MatchStrategy says how a policy is chosen among Config.Policies.
type MatchStrategy string

const (
	// FirstMatch chooses the first policy whose AllowedOrigins match the
	// request's Origin. It is the default.
	FirstMatch MatchStrategy = "firstmatch"
	// VerbMatch chooses the first policy whose AllowedOrigins match the
	// request's Origin and whose AllowedMethods list the method: the
	// method a preflight asks for, or the method of an actual request. A
	// policy with AllowedMethods nil or "*" matches every method.
	VerbMatch MatchStrategy = "verbmatch"
)

// ConfigError is one problem found in a Config. New, Update and the file
// loaders return every problem at once, joined with errors.Join; use
// errors.As, or walk the joined error, to inspect them.
type ConfigError struct {
	// Policy is the name of the policy at fault, or "" for the fields of
	// Config itself.
	Policy string
	// Field is the name of the Config or Policy field at fault.
	Field string
	// Value is the offending value, as written.
	Value string
	// Problem says what is wrong and what would be right.
	Problem string
}

// Error returns the problem as one line: "cors: ", the policy, the field,
// the value, and what is wrong.
func (e *ConfigError) Error() string {
	var b strings.Builder
	b.WriteString("cors: ")
	if e.Policy != "" {
		b.WriteString("policy ")
		b.WriteString(strconv.Quote(e.Policy))
		b.WriteString(": ")
	}
	b.WriteString(e.Field)
	if e.Value != "" {
		b.WriteString(" ")
		b.WriteString(strconv.Quote(e.Value))
	}
	b.WriteString(": ")
	b.WriteString(e.Problem)
	return b.String()
}

// clone returns a deep copy of c: no slice is shared with c.
func (c Config) clone() Config {
	c.AllowedOrigins = slices.Clone(c.AllowedOrigins)
	c.AllowedMethods = slices.Clone(c.AllowedMethods)
	c.ExposeHeaders = slices.Clone(c.ExposeHeaders)
	c.AllowedHeaders = slices.Clone(c.AllowedHeaders)
	if c.Policies != nil {
		ps := make([]Policy, len(c.Policies))
		for i, p := range c.Policies {
			p.AllowedOrigins = slices.Clone(p.AllowedOrigins)
			p.AllowedMethods = slices.Clone(p.AllowedMethods)
			p.ExposeHeaders = slices.Clone(p.ExposeHeaders)
			p.AllowedHeaders = slices.Clone(p.AllowedHeaders)
			ps[i] = p
		}
		c.Policies = ps
	}
	return c
}

// single returns the single policy described by c's own fields.
func (c *Config) single() Policy {
	return Policy{
		AllowedOrigins:      c.AllowedOrigins,
		AllowCredentials:    c.AllowCredentials,
		AllowedMethods:      c.AllowedMethods,
		ExposeHeaders:       c.ExposeHeaders,
		AllowedHeaders:      c.AllowedHeaders,
		MaxAge:              c.MaxAge,
		AllowPrivateNetwork: c.AllowPrivateNetwork,
	}
}

// setFields lists the policy fields of p that are set.
func (p *Policy) setFields() []string {
	var f []string
	if p.AllowedOrigins != nil {
		f = append(f, "AllowedOrigins")
	}
	if p.AllowCredentials {
		f = append(f, "AllowCredentials")
	}
	if p.AllowedMethods != nil {
		f = append(f, "AllowedMethods")
	}
	if p.ExposeHeaders != nil {
		f = append(f, "ExposeHeaders")
	}
	if p.AllowedHeaders != nil {
		f = append(f, "AllowedHeaders")
	}
	if p.MaxAge != 0 {
		f = append(f, "MaxAge")
	}
	if p.AllowPrivateNetwork {
		f = append(f, "AllowPrivateNetwork")
	}
	return f
}

func validPolicyName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}
