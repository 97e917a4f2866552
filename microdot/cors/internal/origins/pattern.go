package origins

import (
	"net/netip"
	"strconv"
	"strings"
)

// The special entries of an origin list.
const (
	Any  = "*"
	Copy = "copy"
	Null = "null"
)

// Kind tells how a parsed origin pattern matches.
type Kind uint8

const (
	Exact     Kind = iota // https://app.example.com
	Subdomain             // https://*.example.com (one or more labels)
	AnyOrigin             // *
	CopyAny               // copy
	NullValue             // null
)

// Pattern is one parsed origin-list entry.
type Pattern struct {
	Kind    Kind
	Scheme  string
	Host    string // for Subdomain: the domain after "*."
	Port    string // "" when none
	AnyPort bool   // ":*"
	Raw     string
}

// ParsePattern parses one origin-list entry. On failure it returns a message
// saying what is wrong and, where it can tell, what to write instead. It
// runs the entry through one step per part, each of which may reject it.
func ParsePattern(s string) (Pattern, string) {
	p := Pattern{Raw: s}
	if k, ok := specialKind(s); ok {
		p.Kind = k
		return p, ""
	}
	if msg := checkShape(s); msg != "" {
		return p, msg
	}
	rest, msg := p.cutScheme(s)
	if msg != "" {
		return p, msg
	}
	if msg := checkOriginOnly(p.Scheme, rest); msg != "" {
		return p, msg
	}
	host, port, hasPort, msg := splitHostPort(rest)
	if msg == "" && hasPort {
		msg = p.setPort(host, port)
	}
	if msg == "" {
		msg = p.setHost(host)
	}
	return p, msg
}

func specialKind(s string) (Kind, bool) {
	switch s {
	case Any:
		return AnyOrigin, true
	case Copy:
		return CopyAny, true
	case Null:
		return NullValue, true
	}
	return 0, false
}

// checkShape rejects what no origin looks like: emptiness, whitespace,
// excess length, upper case.
func checkShape(s string) string {
	switch {
	case s == "":
		return msgEmpty
	case strings.ContainsAny(s, " \t\r\n\v\f"):
		return msgWhitespace
	case len(s) > MaxLen:
		return msgTooLong
	}
	if low := strings.ToLower(s); low != s {
		if q, msg := ParsePattern(low); msg == "" {
			return fixLowerCase(q.Raw)
		}
		return msgUpperCase
	}
	return ""
}

// cutScheme sets p's scheme and returns what follows "://".
func (p *Pattern) cutScheme(s string) (string, string) {
	i := strings.Index(s, "://")
	if i < 0 {
		if strings.Contains(s, "/") || strings.Contains(s, ":") && !strings.HasPrefix(s, "[") ||
			strings.Contains(strings.TrimPrefix(s, "*."), "*") {
			return "", msgNotOrigin
		}
		return "", fixScheme("https://" + s)
	}
	p.Scheme = s[:i]
	if p.Scheme == "" {
		return "", fixScheme("https" + s)
	}
	for j := 0; j < len(p.Scheme); j++ {
		if !isSchemeChar(p.Scheme[j], j == 0) {
			return "", badScheme(p.Scheme)
		}
	}
	if p.Scheme == "file" {
		return "", msgFile
	}
	return s[i+3:], ""
}

// checkOriginOnly rejects the parts of a URL that an origin lacks: path,
// query, fragment and user information.
func checkOriginOnly(scheme, rest string) string {
	if k := strings.IndexAny(rest, "/?#"); k >= 0 {
		fix := scheme + "://" + rest[:k]
		switch {
		case rest[k] == '/':
			return fixPath(fix)
		case rest[k] == '#':
			return fixFragment(fix)
		case strings.Contains(rest[k:], "="):
			return fixQuery(fix)
		}
		return msgQuestion
	}
	if k := strings.LastIndexByte(rest, '@'); k >= 0 {
		return fixUserinfo(scheme + "://" + rest[k+1:])
	}
	return ""
}

// splitHostPort splits what follows the scheme into host and port.
func splitHostPort(rest string) (host, port string, hasPort bool, msg string) {
	if !strings.HasPrefix(rest, "[") {
		host, port, hasPort = strings.Cut(rest, ":")
		return host, port, hasPort, ""
	}
	end := strings.IndexByte(rest, ']')
	if end < 0 {
		return "", "", false, msgOpenIPv6
	}
	host, port = rest[:end+1], rest[end+1:]
	if port == "" {
		return host, "", false, ""
	}
	if port[0] != ':' {
		return "", "", false, msgAfterIPv6
	}
	return host, port[1:], true, ""
}

// setPort checks the port written after host and records it.
func (p *Pattern) setPort(host, port string) string {
	switch {
	case port == "*":
		p.AnyPort = true
	case port == "":
		return msgEmptyPort
	case strings.Contains(port, "*"):
		return msgPortWildcard
	case !validPort(port):
		if n, err := strconv.Atoi(port); err == nil && n > 0 && n <= 65535 {
			return fixLeadingZeros(p.Scheme + "://" + host + ":" + strconv.Itoa(n))
		}
		return badPort(port)
	case port == defaultPort(p.Scheme):
		return fixDefaultPort(p.Scheme + "://" + host)
	default:
		p.Port = port
	}
	return ""
}

// setHost checks the host, with its subdomain wildcard, and records it.
func (p *Pattern) setHost(host string) string {
	if rest, ok := strings.CutPrefix(host, "*."); ok {
		p.Kind, host = Subdomain, rest
		if strings.HasPrefix(host, "[") || validIPv4(host) {
			return msgSubdomainIP
		}
	}
	if strings.Contains(host, "*") {
		return msgStar
	}
	var msg string
	switch {
	case host == "":
		msg = msgNoHost
	case strings.HasPrefix(host, "["):
		msg = p.checkIPv6(host)
	case strings.HasSuffix(host, "."):
		msg = fixTrailingDot(p.Scheme + "://" + strings.TrimSuffix(host, ".") + p.portSuffix())
	case !validDomain(host):
		msg = badHost(host)
		if strings.ContainsFunc(host, func(r rune) bool { return r >= 0x80 }) {
			msg = msgPunycode
		}
	case lastLabelNumeric(host) && !validIPv4(host):
		msg = badIPv4(host)
	}
	p.Host = host
	return msg
}

// checkIPv6 checks a bracketed IPv6 host.
func (p *Pattern) checkIPv6(host string) string {
	inner := host[1 : len(host)-1]
	a, err := netip.ParseAddr(inner)
	switch {
	case err != nil || !a.Is6():
		return badIPv6(host)
	case a.Zone() != "":
		return msgIPv6Zone
	case a.Is4In6():
		return msgIPv4In6
	case a.String() != inner:
		return fixIPv6(p.Scheme + "://[" + a.String() + "]" + p.portSuffix())
	}
	return ""
}

func (p *Pattern) portSuffix() string {
	switch {
	case p.AnyPort:
		return ":*"
	case p.Port != "":
		return ":" + p.Port
	}
	return ""
}

// Insecure reports whether the pattern lets plain-http pages (readable and
// writable by anyone on the network path) in, for hosts other than the
// local machine.
func (p *Pattern) Insecure() bool {
	return (p.Kind == Exact || p.Kind == Subdomain) && p.Scheme == "http" && !isLoopbackHost(p.Host)
}
