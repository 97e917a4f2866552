package cors

import (
	"errors"
	"fmt"
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
	// compared case-insensitively. nil, or an entry "*", allows any
	// header except Authorization, which (as in the Fetch standard's
	// wildcard) must be listed by name: []string{"*", "Authorization"}
	// allows everything. An empty, non-nil list allows no header.
	AllowedHeaders []string

	// MaxAge is how long, in seconds, browsers may cache a successful
	// preflight: 0 omits Access-Control-Max-Age (browsers then cache for
	// 5 s), -1 sends 0 (no caching), and 1 to MaxMaxAge send that value.
	MaxAge int

	// AllowPrivateNetwork answers Chrome's Private Network Access
	// preflights (Access-Control-Request-Private-Network: true) with
	// Access-Control-Allow-Private-Network: true, so that public web pages
	// may call a device on the local network.
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

// compile validates cfg and builds the snapshot that serves requests. It
// returns every problem found, joined.
func compile(cfg Config, sl *slabs) (*snapshot, error) {
	cfg = cfg.clone()
	var errs []error
	add := func(policy, field, value, problem string) {
		errs = append(errs, &ConfigError{Policy: policy, Field: field, Value: value, Problem: problem})
	}
	s := &snapshot{cfg: cfg, logger: cfg.Logger, slabs: sl}

	switch cfg.MatchStrategy {
	case "", FirstMatch:
	case VerbMatch:
		s.verb = true
	default:
		add("", "MatchStrategy", string(cfg.MatchStrategy), `unknown strategy: use "firstmatch" or "verbmatch"`)
	}
	switch {
	case cfg.PreflightStatus == 0:
		s.status = 204
	case cfg.PreflightStatus >= 200 && cfg.PreflightStatus <= 299:
		s.status = cfg.PreflightStatus
	default:
		add("", "PreflightStatus", strconv.Itoa(cfg.PreflightStatus), "a preflight succeeds only with a 2xx status: use 0 (204 No Content) or a status from 200 to 299")
	}

	var list []Policy
	if len(cfg.Policies) == 0 {
		single := cfg.single()
		if len(single.AllowedOrigins) == 0 {
			add("", "AllowedOrigins", "", `no origin is allowed: list at least one origin (or "*" for any)`)
		}
		list = []Policy{single}
	} else {
		single := cfg.single()
		if f := single.setFields(); len(f) > 0 {
			add("", strings.Join(f, ", "), "", "set either the single-policy fields or Policies, not both: move them into a Policy")
		}
		list = cfg.Policies
	}

	names := map[string]bool{}
	reachable := 0
	denied := false
	for i := range list {
		p := &list[i]
		if len(cfg.Policies) > 0 {
			switch {
			case !validPolicyName(p.Name):
				add(p.Name, "Name", p.Name, "a policy name is made of letters, digits, '_', '-' and '.'")
			case names[p.Name]:
				add(p.Name, "Name", p.Name, "two policies have this name; names must be unique")
			}
			names[p.Name] = true
			if p.Name == DenyPolicy {
				if f := p.setFields(); len(f) > 0 {
					add(p.Name, strings.Join(f, ", "), "", "the deny policy allows nothing and takes no other field")
				}
				if !denied {
					s.policies = append(s.policies, &policy{name: DenyPolicy, deny: true})
				}
				denied = true
				continue
			}
			if !denied {
				reachable++
			}
			if len(p.AllowedOrigins) == 0 {
				add(p.Name, "AllowedOrigins", "", `no origin is allowed: list at least one origin (or "*" for any)`)
			}
		}
		cp, perrs := compilePolicy(p, &cfg)
		errs = append(errs, perrs...)
		if !denied {
			s.policies = append(s.policies, cp)
		}
	}
	if len(cfg.Policies) > 0 && reachable == 0 {
		add(DenyPolicy, "Policies", "", "no policy comes before deny, so nothing can ever be allowed")
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	s.refusedVary = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
	for _, p := range s.policies {
		if p.pna {
			s.refusedVary += ", Access-Control-Request-Private-Network"
			break
		}
	}
	if len(s.policies) == 1 && s.policies[0].origins.any && !s.verb {
		s.plainAny = s.policies[0]
	}
	return s, nil
}

// compilePolicy validates and compiles one policy.
func compilePolicy(p *Policy, cfg *Config) (*policy, []error) {
	var errs []error
	add := func(field, value, problem string) {
		errs = append(errs, &ConfigError{Policy: p.Name, Field: field, Value: value, Problem: problem})
	}
	cp := &policy{name: p.Name, creds: p.AllowCredentials, pna: p.AllowPrivateNetwork}

	// Origins.
	var pats []pattern
	for _, o := range p.AllowedOrigins {
		pat, msg := parsePattern(o)
		if msg != "" {
			add("AllowedOrigins", o, msg+"; "+acceptedOriginForms)
			continue
		}
		if p.AllowCredentials {
			switch pat.kind {
			case patAny:
				add("AllowedOrigins", o, `allowing every origin together with credentials would let any web site act as your users: list the trusted origins, or turn AllowCredentials off`)
				continue
			case patCopy:
				add("AllowedOrigins", o, `reflecting every origin together with credentials would let any web site act as your users: list the trusted origins, or turn AllowCredentials off`)
				continue
			case patNull:
				add("AllowedOrigins", o, `"null" is the origin of sandboxed frames and of any page after a cross-origin redirect, so it cannot be trusted with credentials: remove it, or turn AllowCredentials off`)
				continue
			}
			if pat.insecure() && !cfg.DangerouslyAllowInsecureOrigins {
				add("AllowedOrigins", o, `a plain-http origin can be impersonated by anyone on the network path, so it is refused with credentials: use https (http is fine for localhost and loopback addresses), or set DangerouslyAllowInsecureOrigins`)
				continue
			}
			if pat.kind == patSub && isPublicSuffix(pat.host) && !cfg.DangerouslyAllowPublicSuffixWildcards {
				add("AllowedOrigins", o, fmt.Sprintf(`anyone can get a subdomain of %q, so a wildcard over it is refused with credentials: list your own origins, or set DangerouslyAllowPublicSuffixWildcards`, pat.host))
				continue
			}
		}
		pats = append(pats, pat)
	}
	cp.origins = compileOrigins(pats)

	// Methods.
	if p.AllowedMethods == nil {
		cp.methods.unset = true
	}
	for _, m := range p.AllowedMethods {
		switch {
		case m == "*":
			cp.methods.any = true
		case !isToken(m):
			add("AllowedMethods", m, `not a method name (an HTTP token such as "PATCH")`)
		case isForbiddenMethod(m):
			add("AllowedMethods", m, "browsers never send this method from a script; remove it")
		default:
			if n := normalizeMethod(m); !cp.methods.has(n) {
				cp.methods.list = append(cp.methods.list, n)
			}
		}
	}

	// Request headers.
	if p.AllowedHeaders == nil {
		cp.headers.any = true
	}
	var listed []string
	maxLen := 0
	for _, h := range p.AllowedHeaders {
		if h == "*" {
			cp.headers.any = true
			continue
		}
		if !isToken(h) {
			add("AllowedHeaders", h, `not a header name (an HTTP token such as "X-Api-Key")`)
			continue
		}
		low := lower(h)
		if msg := requestHeaderProblem(low); msg != "" {
			add("AllowedHeaders", h, msg)
			continue
		}
		if low == "authorization" {
			cp.headers.authz = true
		}
		if slices.Contains(cp.headers.names, low) {
			continue
		}
		cp.headers.names = append(cp.headers.names, low)
		listed = append(listed, h)
		maxLen = max(maxLen, len(low))
	}
	if len(cp.headers.names) > maxListedHeaders {
		add("AllowedHeaders", "", fmt.Sprintf(`lists %d names, more than %d: use "*" instead`, len(cp.headers.names), maxListedHeaders))
	} else {
		cp.headers.maxLen = maxLen
		if cp.headers.any {
			cp.headers.maxLen = maxAnyNameLen
		}
		cp.headers.byLen = make([][]uint16, maxLen+1)
		for i, n := range cp.headers.names {
			cp.headers.byLen[len(n)] = append(cp.headers.byLen[len(n)], uint16(i))
		}
		cp.headers.listed = strings.Join(listed, ", ")
	}

	// Exposed headers.
	var exposed []string
	for _, h := range p.ExposeHeaders {
		switch {
		case h == "*":
			if p.AllowCredentials {
				add("ExposeHeaders", h, `with credentials, browsers read "*" as a header literally named "*", so it exposes nothing: list the headers by name`)
				continue
			}
		case !isToken(h):
			add("ExposeHeaders", h, `not a header name (an HTTP token such as "X-Request-Id")`)
			continue
		case equalLower(h, "set-cookie") || equalLower(h, "set-cookie2"):
			add("ExposeHeaders", h, "browsers never let scripts read cookies from responses; remove it")
			continue
		}
		if !slices.ContainsFunc(exposed, func(x string) bool { return strings.EqualFold(x, h) }) {
			exposed = append(exposed, h)
		}
	}
	cp.expose = strings.Join(exposed, ", ")

	// Max age.
	switch {
	case p.MaxAge == 0:
	case p.MaxAge == -1:
		cp.maxAge = "0"
	case p.MaxAge < -1 || p.MaxAge > MaxMaxAge:
		add("MaxAge", strconv.Itoa(p.MaxAge), fmt.Sprintf("out of range: use 1 to %d seconds, 0 to omit the header (browsers then cache for 5 s), or -1 to disable caching", MaxMaxAge))
	default:
		cp.maxAge = strconv.Itoa(p.MaxAge)
	}

	cp.preflightVary = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
	if cp.pna {
		cp.preflightVary += ", Access-Control-Request-Private-Network"
	}
	return cp, errs
}
