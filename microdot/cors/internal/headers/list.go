package headers

import "strings"

// NextElement splits the first element off a comma-separated list and
// trims its optional whitespace.
func NextElement(list string) (elem, rest string) {
	if i := strings.IndexByte(list, ','); i >= 0 {
		elem, rest = list[:i], list[i+1:]
	} else {
		elem = list
	}
	return strings.Trim(elem, " \t"), rest
}

// ListCovers reports whether the field lines vals, comma-separated lists,
// name tok (compared case-insensitively) or hold "*".
func ListCovers(vals []string, tok string) bool {
	for _, line := range vals {
		for rest := line; rest != ""; {
			var el string
			el, rest = NextElement(rest)
			if el == "*" || strings.EqualFold(el, tok) {
				return true
			}
		}
	}
	return false
}
