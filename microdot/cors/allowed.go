package cors

import "github.com/microdot-go/microdot/microdot/cors/internal/origins"

// ListsOrigin reports whether origin (an Origin header value such as
// "https://dashboard.example:8081") is one that the configuration in force
// names: an exact origin, an origin with any port, or a subdomain pattern,
// in a policy that comes before the deny policy. Origins that are allowed
// only through "*" or "copy" are not listed, nor is "null": those stand for
// any site at all. Other extensions use it to decide whom to trust beyond
// CORS itself, such as the csrf package for cross-origin writes.
func (c *CORS) ListsOrigin(origin string) bool {
	s := c.snap.Load()
	if s == nil || origin == "" || origin == NullOrigin {
		return false
	}
	ro := origins.Request{Raw: origin}
	for _, p := range s.policies {
		if p.deny {
			return false
		}
		if p.origins.MatchListed(&ro) {
			return true
		}
	}
	return false
}
