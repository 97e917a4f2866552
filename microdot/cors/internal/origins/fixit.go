package origins

import "strconv"

// The messages that explain a rejected pattern and, where the intent is
// clear, show the pattern to write instead.

// AcceptedForms is appended to every origin-pattern error.
const AcceptedForms = `accepted forms: "*", "https://app.example.com", ` +
	`"https://app.example.com:8443", "https://*.example.com", "http://localhost:*", "null", "copy"`

const (
	msgEmpty        = "an empty string is not an origin"
	msgWhitespace   = "an origin contains no whitespace (list origins as separate entries)"
	msgTooLong      = "too long to be an origin"
	msgUpperCase    = "origins are written in lower case"
	msgNotOrigin    = `not an origin: an origin is scheme "://" host [":" port], and a '*' stands only for whole leading labels or the port`
	msgFile         = `file: documents have an opaque origin, which browsers send as "null"`
	msgQuestion     = "origin patterns have no single-character wildcard '?'"
	msgOpenIPv6     = "unterminated IPv6 address"
	msgAfterIPv6    = "unexpected text after the IPv6 address"
	msgEmptyPort    = "empty port: leave out the ':' or write a port number"
	msgPortWildcard = `a port wildcard is written ":*" and matches any port`
	msgSubdomainIP  = "a subdomain wildcard cannot apply to an IP address"
	msgStar         = `a '*' is accepted only as a whole leading label ("https://*.example.com") or as the port ("http://localhost:*")`
	msgNoHost       = "missing host"
	msgIPv6Zone     = "an origin never has an IPv6 zone"
	msgIPv4In6      = "browsers serialize IPv4-mapped IPv6 addresses in hexadecimal; use the IPv4 address or the hexadecimal form"
	msgPunycode     = "write internationalised domain names in their ASCII (punycode, xn--) form"
)

// write ends a message with the pattern to write instead.
func write(msg, fix string) string { return msg + ": write " + strconv.Quote(fix) }

func fixLowerCase(fix string) string { return write(msgUpperCase, fix) }

func fixScheme(fix string) string { return write("missing scheme", fix) }

func badScheme(scheme string) string { return "invalid scheme " + strconv.Quote(scheme) }

func fixPath(fix string) string {
	return write("an origin has no path, not even a trailing slash", fix)
}

func fixFragment(fix string) string { return write("an origin has no fragment", fix) }

func fixQuery(fix string) string { return write("an origin has no query", fix) }

func fixUserinfo(fix string) string { return write("an origin has no user information", fix) }

func fixLeadingZeros(fix string) string {
	return write("a port is written without leading zeros", fix)
}

func badPort(port string) string {
	return "invalid port " + strconv.Quote(port) + " (a port is a number from 1 to 65535)"
}

func fixDefaultPort(fix string) string {
	return write("browsers leave the default port out of origins", fix)
}

func badIPv6(host string) string { return "invalid IPv6 address " + strconv.Quote(host) }

func fixIPv6(fix string) string {
	return write("browsers serialize IPv6 addresses in their shortest form", fix)
}

func fixTrailingDot(fix string) string {
	return write("a trailing dot makes a different origin, which browsers send only when the page's own URL has it", fix)
}

func badHost(host string) string {
	return "invalid host " + strconv.Quote(host) + " (a host is made of letters, digits, '-' and '_' separated by single dots)"
}

func badIPv4(host string) string {
	return "invalid IPv4 address " + strconv.Quote(host) + " (write four decimal numbers from 0 to 255 without leading zeros)"
}
