package origins

// Request is a request's Origin value, parsed on first use: most matches
// need only the raw value.
type Request struct {
	Raw    string
	parsed bool
	ok     bool
	o      Origin
}

func (r *Request) get() (Origin, bool) {
	if !r.parsed {
		r.o, r.ok = Parse(r.Raw)
		r.parsed = true
	}
	return r.o, r.ok
}

// subEntry is one subdomain pattern registered under its domain.
type subEntry struct {
	scheme  string
	port    string
	anyPort bool
}

// Matcher is the compiled form of a list of patterns.
type Matcher struct {
	any     bool                  // "*"
	reflect bool                  // "copy"
	exact   []string              // exact origins (and "null"), when few
	exactM  map[string]struct{}   // exact origins, when many
	anyPort map[string]struct{}   // "scheme://host" of the ":*" patterns
	sub     map[string][]subEntry // subdomain patterns by domain
	parse   bool                  // reflect, anyPort or sub need the parsed origin
}

// exactListMax is the number of exact origins compared one by one; beyond
// it, a map lookup is faster.
const exactListMax = 8

// Compile builds the Matcher of the patterns ps.
func Compile(ps []Pattern) Matcher {
	var m Matcher
	var exact []string
	seen := map[string]bool{}
	for _, p := range ps {
		switch {
		case p.Kind == AnyOrigin:
			m.any = true
		case p.Kind == CopyAny:
			m.reflect = true
		case p.Kind == Subdomain:
			if m.sub == nil {
				m.sub = map[string][]subEntry{}
			}
			m.sub[p.Host] = append(m.sub[p.Host], subEntry{scheme: p.Scheme, port: p.Port, anyPort: p.AnyPort})
		case p.AnyPort:
			if m.anyPort == nil {
				m.anyPort = map[string]struct{}{}
			}
			m.anyPort[p.Scheme+"://"+p.Host] = struct{}{}
		case !seen[p.Raw]:
			seen[p.Raw] = true
			exact = append(exact, p.Raw)
		}
	}
	m.setExact(exact)
	m.parse = m.reflect || m.anyPort != nil || m.sub != nil
	return m
}

func (m *Matcher) setExact(exact []string) {
	if len(exact) <= exactListMax {
		m.exact = exact
		return
	}
	m.exactM = make(map[string]struct{}, len(exact))
	for _, e := range exact {
		m.exactM[e] = struct{}{}
	}
}

// Any reports whether the matcher matches every origin with "*".
func (m *Matcher) Any() bool { return m.any }

// Match reports whether the request's single Origin value is allowed.
func (m *Matcher) Match(ro *Request) bool {
	if m.any {
		return true
	}
	for _, e := range m.exact {
		if e == ro.Raw {
			return true
		}
	}
	if m.exactM != nil {
		if _, ok := m.exactM[ro.Raw]; ok {
			return true
		}
	}
	if !m.parse {
		return false
	}
	o, ok := ro.get()
	return ok && (m.reflect || m.matchAnyPort(ro.Raw, o) || m.matchSub(o))
}

func (m *Matcher) matchAnyPort(raw string, o Origin) bool {
	if m.anyPort == nil {
		return false
	}
	_, ok := m.anyPort[raw[:len(o.Scheme)+3+len(o.Host)]]
	return ok
}

// matchSub looks up every proper parent domain of o's host among the
// subdomain patterns.
func (m *Matcher) matchSub(o Origin) bool {
	if m.sub == nil || o.Host[0] == '[' {
		return false
	}
	h := o.Host
	for i := 0; i < len(h); i++ {
		if h[i] != '.' {
			continue
		}
		for _, e := range m.sub[h[i+1:]] {
			if e.scheme == o.Scheme && (e.anyPort || e.port == o.Port) {
				return true
			}
		}
	}
	return false
}

// MatchListed reports whether the request's Origin value is named by a
// pattern: exactly, with any port, or under a subdomain pattern. "*" and
// "copy", which stand for any site, name nothing.
func (m *Matcher) MatchListed(ro *Request) bool {
	named := *m
	named.any, named.reflect = false, false
	named.parse = m.anyPort != nil || m.sub != nil
	return named.Match(ro)
}
