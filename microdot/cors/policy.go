package cors

import (
	"log/slog"

	"github.com/microdot-go/microdot/microdot/cors/internal/headers"
	"github.com/microdot-go/microdot/microdot/cors/internal/origins"
)

// policy is the compiled, immutable form of one Policy.
type policy struct {
	name    string
	deny    bool
	origins origins.Matcher
	creds   bool
	methods methodSet
	headers headers.Set
	// listedHeaders is the Access-Control-Allow-Headers value of a set of
	// listed names: the names as configured, joined with ", ".
	listedHeaders string
	// expose is the Access-Control-Expose-Headers value, "" for none.
	expose string
	// maxAge is the Access-Control-Max-Age value, "" to omit it.
	maxAge string
	pna    bool
	// preflightVary is the Vary value of a successful preflight.
	preflightVary string
}

// snapshot is the compiled, immutable configuration in force. Requests load
// it once and use it throughout, so an Update never shows them a mix of two
// configurations.
type snapshot struct {
	// cfg is a private deep copy of the configuration as given.
	cfg      Config
	slabs    *slabs[string] // the CORS instance's; nil only for validation
	policies []*policy      // up to, and including, the first deny policy
	verb     bool           // VerbMatch
	// plainAny is the only policy when it is a plain "*" under FirstMatch:
	// then no response depends on the Origin, every response carries
	// Access-Control-Allow-Origin: * and none needs Vary: Origin.
	plainAny *policy
	status   int // successful preflight status
	// refusedVary is the Vary of a refused preflight.
	refusedVary string
	logger      *slog.Logger
}

// selectPolicy returns the policy that applies to a request with the single
// Origin value ro and the method m (the requested method of a preflight), or
// nil when none does.
func (s *snapshot) selectPolicy(ro *origins.Request, m string) *policy {
	for _, p := range s.policies {
		if p.deny {
			return nil
		}
		if s.verb && !p.methods.selects(m) {
			continue
		}
		if p.origins.Match(ro) {
			return p
		}
	}
	return nil
}

// allowOrigin returns the Access-Control-Allow-Origin value p sends to the
// request origin ro.
func (p *policy) allowOrigin(ro *origins.Request) string {
	if p.origins.Any() {
		return AnyOrigin
	}
	return ro.Raw
}
