package headers

// Limits of the Access-Control-Request-Headers parser. Browsers send a
// sorted, lower-case list of distinct names joined by bare commas, so every
// limit is far above what a browser produces; they exist so that a hostile
// value is rejected after a bounded amount of work.
const (
	// maxOWS is the longest run of optional whitespace tolerated on either
	// side of an element.
	maxOWS = 2
	// maxEmpty is the number of empty elements (and empty field lines)
	// tolerated in one request, all lines together.
	maxEmpty = 16
	// MaxAnyNames is the number of names a preflight may ask for when the
	// set allows any name (and no list of names bounds the request).
	MaxAnyNames = 64
	// maxAnyNameLen is the longest name accepted when any name is allowed.
	maxAnyNameLen = 256
	// MaxListed is the number of distinct names a Set may list; it sizes
	// the bit set that spots repeated names.
	MaxListed = 256
)

// Mode says which names a Set allows.
type Mode uint8

const (
	// Listed allows the listed names only.
	Listed Mode = iota
	// Wildcard allows any name, but Authorization only when listed, as the
	// Fetch standard's "*" does.
	Wildcard
	// Echo allows any name, Authorization included: the answer names each
	// requested header (Microdot's allowed_headers=None).
	Echo
)

// Set is the compiled form of the request headers a policy allows.
type Set struct {
	mode Mode
	// authz is true when Authorization is allowed.
	authz bool
	// names holds the distinct listed names in lower case.
	names []string
	// byLen[n] holds the indexes in names of the names of length n.
	byLen [][]uint16
	// maxLen is the length of the longest name that can be accepted.
	maxLen int
}

// NewSet returns the Set of mode that lists the distinct lower-case names
// low, at most MaxListed of them (more are ignored).
func NewSet(mode Mode, low []string) Set {
	s := Set{mode: mode, names: low[:min(len(low), MaxListed)], authz: mode == Echo}
	for _, n := range s.names {
		s.maxLen = max(s.maxLen, len(n))
		if n == "authorization" {
			s.authz = true
		}
	}
	s.byLen = make([][]uint16, s.maxLen+1)
	for i, n := range s.names {
		s.byLen[len(n)] = append(s.byLen[len(n)], uint16(i))
	}
	if mode != Listed {
		s.maxLen = maxAnyNameLen
	}
	return s
}

// Mode returns the set's mode.
func (s *Set) Mode() Mode { return s.mode }

// Result is what checking an Access-Control-Request-Headers list found.
type Result struct {
	OK    bool
	Names int    // number of names requested
	Authz bool   // Authorization was requested
	Bad   string // on failure: the element at fault ("" for a shape problem)
	Why   string // on failure: why the list was refused
}

// Reasons for refusing an Access-Control-Request-Headers list. They are
// constants so that a refusal costs no allocation.
const (
	whyTooManyEmpty = "too many empty elements in Access-Control-Request-Headers"
	whyOWS          = "too much whitespace around a name in Access-Control-Request-Headers"
	whyBadSyntax    = "Access-Control-Request-Headers is not a comma-separated list of header names"
	whyNotAllowed   = "request header not allowed by AllowedHeaders"
	whyRepeated     = "request header named twice in Access-Control-Request-Headers"
	whyTooMany      = "too many names in Access-Control-Request-Headers"
	whyAuthz        = `Authorization is not covered by "*": list it by name in AllowedHeaders`
)

// Check parses the Access-Control-Request-Headers field lines and reports
// whether the set allows every name they list. It never allocates, and its
// work is bounded whatever the input: an element costs at most
// maxOWS+longest-name+maxOWS+1 bytes of scanning before it is accepted or the
// whole list refused, and the number of elements is bounded by the number of
// distinct names the set can accept (repeats are refused), by MaxAnyNames
// when any name is allowed, and by maxEmpty for empty elements.
func (s *Set) Check(lines []string) Result {
	sc := scanner{window: s.maxLen + 2*maxOWS + 1}
	var (
		seen [MaxListed / 64]uint64
		res  Result
	)
	for _, line := range lines {
		sc.rest, sc.more = line, true
		for sc.more {
			name, why := sc.next()
			switch {
			case why != "":
				return Result{Bad: name, Why: why}
			case name == "":
				continue
			case s.mode != Listed:
				why = s.acceptAny(name, &res)
			default:
				why = s.acceptListed(name, &seen, &res)
			}
			if why != "" {
				return Result{Bad: name, Why: why}
			}
		}
	}
	res.OK = true
	return res
}

// scanner walks the elements of one field line.
type scanner struct {
	rest   string
	more   bool
	window int // the longest element accepted, whitespace included
	empty  int // empty elements seen, all lines together
}

// next returns the next name ("" for an empty element) or why the list is
// refused. It never looks further than window bytes ahead.
func (sc *scanner) next() (name, why string) {
	var el string
	if len(sc.rest) > 0 && sc.rest[0] == ',' {
		sc.rest = sc.rest[1:]
	} else if c := indexComma(sc.rest, sc.window); c >= 0 {
		el, sc.rest = sc.rest[:c], sc.rest[c+1:]
	} else if len(sc.rest) < sc.window {
		el, sc.more = sc.rest, false
	} else {
		return sc.rest[:sc.window], whyNotAllowed
	}
	i, j := 0, len(el)
	for i < j && (el[i] == ' ' || el[i] == '\t') {
		i++
	}
	for j > i && (el[j-1] == ' ' || el[j-1] == '\t') {
		j--
	}
	if i > maxOWS || len(el)-j > maxOWS {
		return "", whyOWS
	}
	if i == j {
		if sc.empty++; sc.empty > maxEmpty {
			return "", whyTooManyEmpty
		}
	}
	return el[i:j], ""
}

// indexComma returns the index of the first comma in the first window bytes
// of s, or -1.
func indexComma(s string, window int) int {
	s = s[:min(len(s), window)]
	for i := 0; i < len(s); i++ {
		if s[i] == ',' {
			return i
		}
	}
	return -1
}

// acceptListed checks one name against the listed names, in any case, and
// records it; it returns the reason for refusing it, or "". Comparing with
// the listed names validates the syntax too.
func (s *Set) acceptListed(name string, seen *[MaxListed / 64]uint64, res *Result) string {
	if len(name) <= s.maxLen {
		for _, ix := range s.byLen[len(name)] {
			if n := s.names[ix]; name == n || EqualLower(name, n) {
				word, bit := ix/64, uint64(1)<<(ix%64)
				if seen[word]&bit != 0 {
					return whyRepeated
				}
				seen[word] |= bit
				res.Names++
				return ""
			}
		}
	}
	if !s.authz && EqualLower(name, "authorization") {
		return whyAuthz
	}
	return whyNotAllowed
}

// acceptAny checks one name requested from a set that allows any name and
// records it in res; it returns the reason for refusing the name, or "".
func (s *Set) acceptAny(name string, res *Result) string {
	if len(name) > s.maxLen || name == "*" {
		// "*" is a token, but no header anyone sends; echoed back with
		// credentials it would read as the wildcard.
		return whyNotAllowed
	}
	if len(name) == len("authorization") && EqualLower(name, "authorization") {
		if !s.authz {
			return whyAuthz
		}
		if res.Authz {
			return whyRepeated
		}
		res.Authz = true
	}
	if res.Names++; res.Names > MaxAnyNames {
		return whyTooMany
	}
	if !IsToken(name) {
		return whyBadSyntax
	}
	return ""
}
