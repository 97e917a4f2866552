package cors

import (
	"net/http"
	"strings"
)

// actual writes into h the CORS headers of the response to r, an actual
// (non-preflight) request (app is its *microdot.Request in an App, else nil).
// Values that the handler set already for the same names are replaced; Vary
// is merged. The values come from one backing array that no other response
// shares (see values), sliced with full slice expressions so that appending
// to one of them never spills into another.
func (s *snapshot) actual(h http.Header, r *http.Request, app appRequest) {
	if p := s.plainAny; p != nil {
		if p.expose == "" {
			v := s.values(1, r, app)
			v[0] = AnyOrigin
			h[hACAO] = v
			return
		}
		v := s.values(2, r, app)
		v[0], v[1] = AnyOrigin, p.expose
		h[hACAO] = v[0:1:1]
		h[hACEH] = v[1:2:2]
		return
	}
	var p *policy
	var ro reqOrigin
	if vals := r.Header[hOrigin]; len(vals) == 1 {
		ro.raw = vals[0]
		p = s.selectPolicy(&ro, r.Method)
	}
	if p == nil {
		addVary(h, "Origin", s.values(1, r, app))
		return
	}
	n := 2
	if p.creds {
		n++
	}
	if p.expose != "" {
		n++
	}
	v := s.values(n, r, app)
	i := put(h, hACAO, v, 0, p.allowOrigin(&ro))
	if p.creds {
		i = put(h, hACAC, v, i, "true")
	}
	if p.expose != "" {
		i = put(h, hACEH, v, i, p.expose)
	}
	addVary(h, "Origin", v[i:i+1:i+1])
}

// addVary merges the comma-separated tokens of value into h's Vary field:
// tokens already present (compared case-insensitively) are not repeated,
// and a Vary of "*" is left alone. When h has no Vary yet, slot (a one-element
// slice that belongs to this response) receives value and becomes the field.
func addVary(h http.Header, value string, slot []string) {
	old := h[hVary]
	if len(old) == 0 {
		slot[0] = value
		h[hVary] = slot
		return
	}
	var missing []string
	for rest := value; rest != ""; {
		var tok string
		tok, rest = nextElement(rest)
		if tok != "" && !varyCovers(old, tok) {
			missing = append(missing, tok)
		}
	}
	if len(missing) == 0 {
		return
	}
	// A fresh backing array: old may have spare capacity that belongs to
	// someone else.
	h[hVary] = append(old[:len(old):len(old)], strings.Join(missing, ", "))
}

// nextElement splits the first element off a comma-separated list and trims
// its optional whitespace.
func nextElement(list string) (elem, rest string) {
	if i := strings.IndexByte(list, ','); i >= 0 {
		elem, rest = list[:i], list[i+1:]
	} else {
		elem = list
	}
	return strings.Trim(elem, " \t"), rest
}

// varyCovers reports whether the Vary field lines vals already vary on tok,
// by naming it or by being "*".
func varyCovers(vals []string, tok string) bool {
	for _, line := range vals {
		for rest := line; rest != ""; {
			var el string
			el, rest = nextElement(rest)
			if el == "*" || strings.EqualFold(el, tok) {
				return true
			}
		}
	}
	return false
}

// put stores value as v[i] and makes h[key] the one-element slice holding it,
// capped so that an append reallocates; it returns the next free index of v.
func put(h http.Header, key string, v []string, i int, value string) int {
	v[i] = value
	h[key] = v[i : i+1 : i+1]
	return i + 1
}
