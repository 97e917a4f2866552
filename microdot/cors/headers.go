package cors

import "strings"

// Header names used on the hot path, in canonical form so that they index
// an http.Header directly.
const (
	hOrigin = "Origin"
	hVary   = "Vary"

	hACRM  = "Access-Control-Request-Method"
	hACRH  = "Access-Control-Request-Headers"
	hACRPN = "Access-Control-Request-Private-Network"

	hACAO  = "Access-Control-Allow-Origin"
	hACAC  = "Access-Control-Allow-Credentials"
	hACAM  = "Access-Control-Allow-Methods"
	hACAH  = "Access-Control-Allow-Headers"
	hACMA  = "Access-Control-Max-Age"
	hACEH  = "Access-Control-Expose-Headers"
	hACAPN = "Access-Control-Allow-Private-Network"
)

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
	// maxAnyNames is the number of names a preflight may ask for when the
	// policy allows any header (and no set of names bounds the list).
	maxAnyNames = 64
	// maxAnyNameLen is the longest header name accepted when the policy
	// allows any header.
	maxAnyNameLen = 256
	// maxListedHeaders is the number of distinct names AllowedHeaders may
	// list; it sizes the bit set used to spot repeated names.
	maxListedHeaders = 256
)

// tchar reports the bytes allowed in an HTTP token (RFC 9110 §5.6.2).
var tchar = [256]bool{
	'!': true, '#': true, '$': true, '%': true, '&': true, '\'': true,
	'*': true, '+': true, '-': true, '.': true, '^': true, '_': true,
	'`': true, '|': true, '~': true,
	'0': true, '1': true, '2': true, '3': true, '4': true,
	'5': true, '6': true, '7': true, '8': true, '9': true,
	'A': true, 'B': true, 'C': true, 'D': true, 'E': true, 'F': true,
	'G': true, 'H': true, 'I': true, 'J': true, 'K': true, 'L': true,
	'M': true, 'N': true, 'O': true, 'P': true, 'Q': true, 'R': true,
	'S': true, 'T': true, 'U': true, 'V': true, 'W': true, 'X': true,
	'Y': true, 'Z': true,
	'a': true, 'b': true, 'c': true, 'd': true, 'e': true, 'f': true,
	'g': true, 'h': true, 'i': true, 'j': true, 'k': true, 'l': true,
	'm': true, 'n': true, 'o': true, 'p': true, 'q': true, 'r': true,
	's': true, 't': true, 'u': true, 'v': true, 'w': true, 'x': true,
	'y': true, 'z': true,
}

// isToken reports whether s is a non-empty HTTP token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !tchar[s[i]] {
			return false
		}
	}
	return true
}

// lower returns s with ASCII upper-case letters folded to lower case. It
// allocates only when s has an upper-case letter; it is used at
// configuration time only.
func lower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// equalLower reports whether s, folded to lower case, equals low, which is
// already in lower case. Only ASCII letters are folded, which is exactly
// what header names need.
func equalLower(s, low string) bool {
	if len(s) != len(low) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != low[i] {
			return false
		}
	}
	return true
}

// forbiddenRequestHeaders are the Fetch standard's forbidden request-header
// names, in lower case: browsers set them themselves, scripts cannot, so they
// never appear in Access-Control-Request-Headers and listing them is a
// mistake.
var forbiddenRequestHeaders = map[string]bool{
	"accept-charset":                 true,
	"accept-encoding":                true,
	"access-control-request-headers": true,
	"access-control-request-method":  true,
	"connection":                     true,
	"content-length":                 true,
	"cookie":                         true,
	"cookie2":                        true,
	"date":                           true,
	"dnt":                            true,
	"expect":                         true,
	"host":                           true,
	"keep-alive":                     true,
	"origin":                         true,
	"referer":                        true,
	"set-cookie":                     true,
	"te":                             true,
	"trailer":                        true,
	"transfer-encoding":              true,
	"upgrade":                        true,
	"via":                            true,
}

// requestHeaderProblem explains why name (in lower case) cannot be listed in
// AllowedHeaders, or returns "".
func requestHeaderProblem(low string) string {
	switch {
	case forbiddenRequestHeaders[low],
		strings.HasPrefix(low, "proxy-"),
		strings.HasPrefix(low, "sec-"):
		return "a forbidden request-header name: browsers set it themselves and never ask for it in a preflight; remove it"
	case strings.HasPrefix(low, "access-control-"):
		return "belongs to the CORS protocol itself, not to a request a script sends; remove it"
	}
	return ""
}

// headerSet is the compiled form of AllowedHeaders.
type headerSet struct {
	// any is true when every name is allowed (AllowedHeaders nil or with
	// "*"), except Authorization, which only authz allows.
	any bool
	// authz is true when Authorization is listed by name.
	authz bool
	// names holds the distinct listed names in lower case ("*"
	// excluded), Authorization included.
	names []string
	// byLen[n] holds the indexes in names of the names of length n.
	byLen [][]uint16
	// maxLen is the length of the longest name that can be accepted.
	maxLen int
	// listed is the Access-Control-Allow-Headers value sent when any is
	// false: the listed names, as configured, joined with ", ".
	listed string
}

// acrhResult is what checking an Access-Control-Request-Headers list found.
type acrhResult struct {
	ok    bool
	names int    // number of names requested
	authz bool   // authorization was requested
	bad   string // on failure: the element at fault ("" for a shape problem)
	why   string // on failure: why it was refused
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
	whyAuthz        = "Authorization is allowed only when AllowedHeaders lists it by name"
)

// check parses the Access-Control-Request-Headers field lines and reports
// whether the set allows every name they list. It never allocates, and its
// work is bounded whatever the input: an element costs at most
// maxOWS+longest-name+maxOWS+1 bytes of scanning before it is accepted or the
// whole list refused, and the number of elements is bounded by the number of
// distinct names the set can accept (repeats are refused), by maxAnyNames
// when any name is allowed, and by maxEmpty for empty elements.
func (hs *headerSet) check(lines []string) acrhResult {
	var (
		seen  [maxListedHeaders / 64]uint64
		res   acrhResult
		empty int
	)
	// An element (a name and its whitespace) is never longer than window
	// bytes, so the search for the comma that ends it stops there.
	window := hs.maxLen + 2*maxOWS + 1
	for _, rest := range lines {
		for more := true; more; {
			if len(rest) > 0 && rest[0] == ',' {
				// An empty element right away: no search needed.
				if empty++; empty > maxEmpty {
					return acrhResult{why: whyTooManyEmpty}
				}
				rest = rest[1:]
				continue
			}
			var el string
			if c := strings.IndexByte(rest[:min(len(rest), window)], ','); c >= 0 {
				el, rest = rest[:c], rest[c+1:]
			} else if len(rest) < window {
				el, more = rest, false
			} else {
				return acrhResult{bad: rest[:window], why: whyNotAllowed}
			}
			// Trim the optional whitespace, at most maxOWS bytes a side.
			i := 0
			for i < len(el) && (el[i] == ' ' || el[i] == '\t') {
				i++
			}
			j := len(el)
			for j > i && (el[j-1] == ' ' || el[j-1] == '\t') {
				j--
			}
			if i > maxOWS || len(el)-j > maxOWS {
				return acrhResult{why: whyOWS}
			}
			name := el[i:j]
			switch {
			case name == "":
				if empty++; empty > maxEmpty {
					return acrhResult{why: whyTooManyEmpty}
				}
				continue
			case len(name) > hs.maxLen:
				return hs.refuse(name)
			case hs.any:
				if why := hs.acceptAny(name, &res); why != "" {
					return acrhResult{bad: name, why: why}
				}
				continue
			}
			// A listed name, in any case, not seen before. Comparing with
			// the listed names validates the syntax too.
			found := false
			for _, ix := range hs.byLen[len(name)] {
				if n := hs.names[ix]; name == n || equalLower(name, n) {
					word, bit := ix/64, uint64(1)<<(ix%64)
					if seen[word]&bit != 0 {
						return acrhResult{bad: name, why: whyRepeated}
					}
					seen[word] |= bit
					found = true
					break
				}
			}
			if !found {
				return hs.refuse(name)
			}
			res.names++
		}
	}
	res.ok = true
	return res
}

// refuse explains why name, which the set does not list, is refused.
func (hs *headerSet) refuse(name string) acrhResult {
	if !hs.authz && equalLower(name, "authorization") {
		return acrhResult{bad: name, why: whyAuthz}
	}
	return acrhResult{bad: name, why: whyNotAllowed}
}

// acceptAny checks one name requested from a set that allows any name and
// records it in res; it returns the reason for refusing the name, or "".
func (hs *headerSet) acceptAny(name string, res *acrhResult) string {
	if name == "*" {
		// A token, but no header anyone sends; echoed back with
		// credentials it would read as the wildcard.
		return whyNotAllowed
	}
	if len(name) == len("authorization") && equalLower(name, "authorization") {
		if !hs.authz {
			return whyAuthz
		}
		if res.authz {
			return whyRepeated
		}
		res.authz = true
	}
	if res.names++; res.names > maxAnyNames {
		return whyTooMany
	}
	for i := 0; i < len(name); i++ {
		if !tchar[name[i]] {
			return whyBadSyntax
		}
	}
	return ""
}
