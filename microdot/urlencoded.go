package microdot

import (
	"net/url"
	"strings"
)

// parseQuery parses a query string or an urlencoded form body as Microdot
// does: a pair whose percent-escapes are malformed keeps them as sent
// instead of being dropped (or failing the whole form). Pairs holding ';' are
// dropped, as url.ParseQuery drops them: some proxies split on ';', and
// agreeing with one of them is not possible.
func parseQuery(q string) url.Values {
	v := url.Values{}
	for q != "" {
		var pair string
		pair, q, _ = strings.Cut(q, "&")
		if pair == "" || strings.Contains(pair, ";") {
			continue
		}
		key, value, _ := strings.Cut(pair, "=")
		key = unescapeQuery(key)
		v[key] = append(v[key], unescapeQuery(value))
	}
	return v
}

// unescapeQuery decodes s as a query component: '+' is a space and %XX a byte.
// A '%' that does not start a valid escape is kept as it is.
func unescapeQuery(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+':
			b.WriteByte(' ')
		case c == '%' && i+2 < len(s) && ishex(s[i+1]) && ishex(s[i+2]):
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
