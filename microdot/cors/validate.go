package cors

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/microdot-go/microdot/microdot/cors/internal/headers"
	"github.com/microdot-go/microdot/microdot/cors/internal/origins"
)

// maxReported is the number of problems an error lists; the others are
// counted in a last line.
const maxReported = 20

// problems collects the problems of one validation.
type problems struct{ errs []error }

func (ps *problems) add(policy, field, value, problem string) {
	ps.errs = append(ps.errs, &ConfigError{Policy: policy, Field: field, Value: value, Problem: problem})
}

func (ps *problems) err() error { return joinBounded(ps.errs, nil) }

// joinBounded joins at most maxReported of errs, followed by one error that
// counts the rest, so that a hostile configuration gets a short report.
// wrap, when not nil, turns that last error into the caller's type.
func joinBounded(errs []error, wrap func(error) error) error {
	if len(errs) <= maxReported {
		return errors.Join(errs...)
	}
	more := fmt.Errorf("cors: ... and %d more problems", len(errs)-maxReported)
	if wrap != nil {
		more = wrap(more)
	}
	return errors.Join(append(errs[:maxReported:maxReported], more)...)
}

// compile validates cfg and builds the snapshot that serves requests, in
// one pass over each field. It returns the problems found, joined.
func compile(cfg Config, sl *slabs[string]) (*snapshot, error) {
	cfg = cfg.clone()
	var ps problems
	s := &snapshot{cfg: cfg, logger: cfg.Logger, slabs: sl}
	s.verb = compileStrategy(cfg.MatchStrategy, &ps)
	s.status = compileStatus(cfg.PreflightStatus, &ps)
	s.policies = compilePolicies(&cfg, &ps)
	if err := ps.err(); err != nil {
		return nil, err
	}
	s.refusedVary = varyPreflight
	for _, p := range s.policies {
		if p.pna {
			s.refusedVary = varyPNA
		}
	}
	if len(s.policies) == 1 && s.policies[0].origins.Any() && !s.verb {
		s.plainAny = s.policies[0]
	}
	return s, nil
}

func compileStrategy(m MatchStrategy, ps *problems) bool {
	switch m {
	case "", FirstMatch:
	case VerbMatch:
		return true
	default:
		ps.add("", "MatchStrategy", string(m), `unknown strategy: use "firstmatch" or "verbmatch"`)
	}
	return false
}

func compileStatus(status int, ps *problems) int {
	switch {
	case status == 0:
		return http.StatusNoContent
	case status >= 200 && status <= 299:
		return status
	}
	ps.add("", "PreflightStatus", strconv.Itoa(status), "a preflight succeeds only with a 2xx status: use 0 (204 No Content) or a status from 200 to 299")
	return 0
}

const noOrigin = `no origin is allowed: list at least one origin (or "*" for any)`

// policyList returns the policies cfg describes: its single policy, or
// Policies.
func policyList(cfg *Config, ps *problems) []Policy {
	single := cfg.single()
	if len(cfg.Policies) == 0 {
		if len(single.AllowedOrigins) == 0 {
			ps.add("", "AllowedOrigins", "", noOrigin)
		}
		return []Policy{single}
	}
	if f := single.setFields(); len(f) > 0 {
		ps.add("", strings.Join(f, ", "), "", "set either the single-policy fields or Policies, not both: move them into a Policy")
	}
	return cfg.Policies
}

// compilePolicies compiles the policies up to the first deny policy, and
// validates all of them.
func compilePolicies(cfg *Config, ps *problems) []*policy {
	list := policyList(cfg, ps)
	named := len(cfg.Policies) > 0
	names := make(map[string]bool, len(list))
	var out []*policy
	reachable, denied := 0, false
	for i := range list {
		p := &list[i]
		if named && !checkName(p, names, ps) {
			if !denied {
				out = append(out, &policy{name: DenyPolicy, deny: true})
			}
			denied = true
			continue
		}
		if cp := compilePolicy(p, cfg, ps); !denied {
			out = append(out, cp)
			reachable++
		}
	}
	if named && reachable == 0 {
		ps.add(DenyPolicy, "Policies", "", "no policy comes before deny, so nothing can ever be allowed")
	}
	return out
}

// checkName checks the name of one of Policies; it returns false for the
// deny policy, which has nothing else to compile.
func checkName(p *Policy, names map[string]bool, ps *problems) bool {
	switch {
	case !validPolicyName(p.Name):
		ps.add(p.Name, "Name", p.Name, "a policy name is made of letters, digits, '_', '-' and '.'")
	case names[p.Name]:
		ps.add(p.Name, "Name", p.Name, "two policies have this name; names must be unique")
	}
	names[p.Name] = true
	if p.Name == DenyPolicy {
		if f := p.setFields(); len(f) > 0 {
			ps.add(p.Name, strings.Join(f, ", "), "", "the deny policy allows nothing and takes no other field")
		}
		return false
	}
	if len(p.AllowedOrigins) == 0 {
		ps.add(p.Name, "AllowedOrigins", "", noOrigin)
	}
	return true
}

// compilePolicy validates and compiles one policy, one field at a time.
func compilePolicy(p *Policy, cfg *Config, ps *problems) *policy {
	cp := &policy{name: p.Name, creds: p.AllowCredentials, pna: p.AllowPrivateNetwork}
	pp := policyProblems{ps: ps, policy: p.Name}
	cp.origins = compileOrigins(p, cfg, pp)
	cp.methods = compileMethods(p.AllowedMethods, pp)
	cp.headers, cp.listedHeaders = compileHeaders(p.AllowedHeaders, pp)
	cp.expose = compileExpose(p, pp)
	cp.maxAge = compileMaxAge(p.MaxAge, pp)
	cp.preflightVary = varyPreflight
	if cp.pna {
		cp.preflightVary = varyPNA
	}
	return cp
}

// policyProblems adds the problems of one policy.
type policyProblems struct {
	ps     *problems
	policy string
}

func (pp policyProblems) add(field, value, problem string) {
	pp.ps.add(pp.policy, field, value, problem)
}

func compileOrigins(p *Policy, cfg *Config, pp policyProblems) origins.Matcher {
	pats := make([]origins.Pattern, 0, len(p.AllowedOrigins))
	for _, o := range p.AllowedOrigins {
		pat, msg := origins.ParsePattern(o)
		if msg != "" {
			pp.add("AllowedOrigins", o, msg+"; "+origins.AcceptedForms)
			continue
		}
		if p.AllowCredentials {
			if msg := credentialProblem(&pat, cfg); msg != "" {
				pp.add("AllowedOrigins", o, msg)
				continue
			}
		}
		pats = append(pats, pat)
	}
	return origins.Compile(pats)
}

// credentialProblem says why pat cannot be trusted with credentials, or
// returns "".
func credentialProblem(pat *origins.Pattern, cfg *Config) string {
	switch {
	case pat.Kind == origins.AnyOrigin:
		return `allowing every origin together with credentials would let any web site act as your users: list the trusted origins, or turn AllowCredentials off`
	case pat.Kind == origins.CopyAny:
		return `reflecting every origin together with credentials would let any web site act as your users: list the trusted origins, or turn AllowCredentials off`
	case pat.Kind == origins.NullValue:
		return `"null" is the origin of sandboxed frames and of any page after a cross-origin redirect, so it cannot be trusted with credentials: remove it, or turn AllowCredentials off`
	case pat.Insecure() && !cfg.DangerouslyAllowInsecureOrigins:
		return `a plain-http origin can be impersonated by anyone on the network path, so it is refused with credentials: use https (http is fine for localhost and loopback addresses), or set DangerouslyAllowInsecureOrigins`
	case pat.Kind == origins.Subdomain && origins.IsPublicSuffix(pat.Host) && !cfg.DangerouslyAllowPublicSuffixWildcards:
		return fmt.Sprintf(`anyone can get a subdomain of %q (a public suffix), so a wildcard over it is refused with credentials: list your own origins, or set DangerouslyAllowPublicSuffixWildcards`, pat.Host)
	}
	return ""
}

func compileMethods(list []string, pp policyProblems) methodSet {
	ms := methodSet{unset: list == nil}
	seen := make(map[string]bool, len(list))
	for _, m := range list {
		switch {
		case m == "*":
			ms.any = true
		case !headers.IsToken(m):
			pp.add("AllowedMethods", m, `not a method name (an HTTP token such as "PATCH")`)
		case isForbiddenMethod(m):
			pp.add("AllowedMethods", m, "browsers never send this method from a script; remove it")
		default:
			if n := normalizeMethod(m); !seen[n] {
				seen[n] = true
				ms.list = append(ms.list, n)
			}
		}
	}
	return ms
}

// compileHeaders compiles AllowedHeaders; it also returns the
// Access-Control-Allow-Headers value of the listed names.
func compileHeaders(list []string, pp policyProblems) (headers.Set, string) {
	mode := headers.Listed
	if list == nil {
		mode = headers.Echo
	}
	seen := make(map[string]bool, len(list))
	var low, listed []string
	for _, h := range list {
		if h == "*" {
			mode = headers.Wildcard
			continue
		}
		if !headers.IsToken(h) {
			pp.add("AllowedHeaders", h, `not a header name (an HTTP token such as "X-Api-Key")`)
			continue
		}
		l := headers.Lower(h)
		if msg := headers.RequestHeaderProblem(l); msg != "" {
			pp.add("AllowedHeaders", h, msg)
			continue
		}
		if !seen[l] {
			seen[l] = true
			low, listed = append(low, l), append(listed, h)
		}
	}
	if len(low) > headers.MaxListed {
		pp.add("AllowedHeaders", "", fmt.Sprintf(`lists %d names, more than %d: use "*" or nil instead`, len(low), headers.MaxListed))
	}
	return headers.NewSet(mode, low), strings.Join(listed, ", ")
}

func compileExpose(p *Policy, pp policyProblems) string {
	seen := make(map[string]bool, len(p.ExposeHeaders))
	var exposed []string
	for _, h := range p.ExposeHeaders {
		switch {
		case h == "*":
			if p.AllowCredentials {
				pp.add("ExposeHeaders", h, `with credentials, browsers read "*" as a header literally named "*", so it exposes nothing: list the headers by name`)
				continue
			}
		case !headers.IsToken(h):
			pp.add("ExposeHeaders", h, `not a header name (an HTTP token such as "X-Request-Id")`)
			continue
		case headers.EqualLower(h, "set-cookie") || headers.EqualLower(h, "set-cookie2"):
			pp.add("ExposeHeaders", h, "browsers never let scripts read cookies from responses; remove it")
			continue
		}
		if l := headers.Lower(h); !seen[l] {
			seen[l] = true
			exposed = append(exposed, h)
		}
	}
	return strings.Join(exposed, ", ")
}

func compileMaxAge(age int, pp policyProblems) string {
	switch {
	case age == 0:
		return ""
	case age == -1:
		return "0"
	case age < -1 || age > MaxMaxAge:
		pp.add("MaxAge", strconv.Itoa(age), fmt.Sprintf("out of range: use 1 to %d seconds, 0 to omit the header (browsers then cache for 5 s), or -1 to disable caching", MaxMaxAge))
		return ""
	}
	return strconv.Itoa(age)
}
