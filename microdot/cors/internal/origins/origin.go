package origins

import (
	"net/netip"
	"strings"
)

// MaxLen bounds a serialized origin: a 64-byte scheme, "://", a 253-byte
// host, ":" and a 5-digit port. Anything longer is not an origin a pattern
// could match.
const MaxLen = 64 + 3 + 253 + 1 + 5

// Origin is a serialized origin split into its parts; Port is "" when the
// origin has none. The parts are substrings of the serialized form.
type Origin struct {
	Scheme, Host, Port string
}

// Parse splits a request's Origin value. It accepts exactly the serialized
// origins browsers produce for tuple origins (lower-case scheme and host,
// IPv6 in brackets) and nothing else: no path, no userinfo, no upper case,
// no whitespace, no list. It never allocates.
func Parse(s string) (Origin, bool) {
	scheme, rest, ok := cutScheme(s)
	if !ok || len(s) > MaxLen {
		return Origin{}, false
	}
	hostEnd := hostEnd(rest)
	if hostEnd < 0 {
		return Origin{}, false
	}
	o := Origin{Scheme: scheme, Host: rest[:hostEnd]}
	if hostEnd < len(rest) {
		if rest[hostEnd] != ':' || !validPort(rest[hostEnd+1:]) {
			return Origin{}, false
		}
		o.Port = rest[hostEnd+1:]
	}
	return o, true
}

// cutScheme splits s at "://" when what comes before is a valid scheme.
func cutScheme(s string) (scheme, rest string, ok bool) {
	if s == "" || !isSchemeChar(s[0], true) {
		return "", "", false
	}
	i := 1
	for i < len(s) && isSchemeChar(s[i], false) {
		i++
	}
	if !strings.HasPrefix(s[i:], "://") {
		return "", "", false
	}
	return s[:i], s[i+3:], true
}

// hostEnd returns the length of the valid host that starts rest, or -1.
func hostEnd(rest string) int {
	if strings.HasPrefix(rest, "[") {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return -1
		}
		a, err := netip.ParseAddr(rest[1:end])
		if err != nil || !a.Is6() || a.Zone() != "" {
			return -1
		}
		return end + 1
	}
	end := strings.IndexByte(rest, ':')
	if end < 0 {
		end = len(rest)
	}
	host := rest[:end]
	if !validDomain(host) || lastLabelNumeric(host) && !validIPv4(host) {
		return -1
	}
	return end
}

func isSchemeChar(c byte, first bool) bool {
	switch {
	case 'a' <= c && c <= 'z':
		return true
	case first:
		return false
	case '0' <= c && c <= '9', c == '+', c == '-', c == '.':
		return true
	}
	return false
}

func isHostChar(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

// validPort reports whether p is a port number as browsers serialize it:
// decimal, 1 to 65535, no leading zero.
func validPort(p string) bool {
	if p == "" || len(p) > 5 || p[0] == '0' {
		return false
	}
	n := 0
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return false
		}
		n = n*10 + int(p[i]-'0')
	}
	return n <= 65535
}

// validDomain reports whether h is a host name made of non-empty labels of
// lower-case letters, digits, '-' and '_', at most 63 bytes each.
func validDomain(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	label := 0
	for i := 0; i < len(h); i++ {
		c := h[i]
		if c == '.' {
			if label == 0 {
				return false
			}
			label = 0
			continue
		}
		if !isHostChar(c) {
			return false
		}
		if label++; label > 63 {
			return false
		}
	}
	return label > 0
}

// lastLabelNumeric reports whether the last label of a domain is made of
// digits only, which makes browsers parse the host as an IPv4 address.
func lastLabelNumeric(h string) bool {
	last := h[strings.LastIndexByte(h, '.')+1:]
	if last == "" {
		return false
	}
	for i := 0; i < len(last); i++ {
		if last[i] < '0' || last[i] > '9' {
			return false
		}
	}
	return true
}

// validIPv4 reports whether h is a dotted-quad IPv4 address as browsers
// serialize it (four decimal parts, 0-255, no leading zeros).
func validIPv4(h string) bool {
	a, err := netip.ParseAddr(h)
	return err == nil && a.Is4()
}

// defaultPort returns the port a scheme implies, or "".
func defaultPort(scheme string) string {
	switch scheme {
	case "http", "ws":
		return "80"
	case "https", "wss":
		return "443"
	}
	return ""
}

// isLoopbackHost reports whether host names the local machine, which
// browsers treat as a secure context even over http.
func isLoopbackHost(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") || host == "[::1]" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Is4() && a.IsLoopback()
}
