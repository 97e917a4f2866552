package cors

import (
	"net/netip"
	"strconv"
	"strings"
)

// The special entries of AllowedOrigins.
const (
	// AnyOrigin allows every origin; responses carry the literal "*".
	// It cannot be combined with AllowCredentials.
	AnyOrigin = "*"
	// CopyOrigin reflects the request's Origin, whatever it is, as long as
	// it is a well-formed serialized origin (so never "null"). It is
	// wsgicors's "copy" and cannot be combined with AllowCredentials.
	CopyOrigin = "copy"
	// NullOrigin allows the opaque origin "null" (sandboxed documents,
	// data: URLs, redirects across origins). It cannot be combined with
	// AllowCredentials.
	NullOrigin = "null"
)

// acceptedOriginForms is appended to every origin-pattern error.
const acceptedOriginForms = `accepted forms: "*", "https://app.example.com", ` +
	`"https://app.example.com:8443", "https://*.example.com", "http://localhost:*", "null", "copy"`

// maxOriginLen bounds a serialized origin: a 64-byte scheme, "://", a
// 253-byte host, ":" and a 5-digit port. Anything longer is not an origin a
// pattern could match.
const maxOriginLen = 64 + 3 + 253 + 1 + 5

// origin is a serialized origin split into its parts; port is "" when the
// origin has none. The parts are substrings of the serialized form.
type origin struct {
	scheme, host, port string
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

// parseOrigin splits a request's Origin value. It accepts exactly the
// serialized origins browsers produce for tuple origins (lower-case scheme
// and host, no default-port check, IPv6 in brackets) and nothing else: no
// path, no userinfo, no upper case, no whitespace, no list. It never
// allocates.
func parseOrigin(s string) (origin, bool) {
	if len(s) > maxOriginLen || len(s) == 0 || !isSchemeChar(s[0], true) {
		return origin{}, false
	}
	i := 1
	for i < len(s) && isSchemeChar(s[i], false) {
		i++
	}
	if !strings.HasPrefix(s[i:], "://") {
		return origin{}, false
	}
	o := origin{scheme: s[:i]}
	rest := s[i+3:]
	hostEnd := 0
	if strings.HasPrefix(rest, "[") {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return origin{}, false
		}
		a, err := netip.ParseAddr(rest[1:end])
		if err != nil || !a.Is6() || a.Zone() != "" {
			return origin{}, false
		}
		hostEnd = end + 1
	} else {
		for hostEnd < len(rest) && rest[hostEnd] != ':' {
			hostEnd++
		}
		host := rest[:hostEnd]
		if !validDomain(host) || lastLabelNumeric(host) && !validIPv4(host) {
			return origin{}, false
		}
	}
	o.host = rest[:hostEnd]
	if hostEnd < len(rest) {
		if rest[hostEnd] != ':' || !validPort(rest[hostEnd+1:]) {
			return origin{}, false
		}
		o.port = rest[hostEnd+1:]
	}
	return o, true
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

// patternKind tells how a parsed origin pattern matches.
type patternKind uint8

const (
	patExact patternKind = iota // https://app.example.com
	patSub                      // https://*.example.com (one or more labels)
	patAny                      // *
	patCopy                     // copy
	patNull                     // null
)

// pattern is one parsed AllowedOrigins entry.
type pattern struct {
	kind    patternKind
	scheme  string
	host    string // for patSub: the domain after "*."
	port    string // "" when none
	anyPort bool   // ":*"
	raw     string
}

// parsePattern parses one AllowedOrigins entry. On failure it returns a
// message saying what is wrong and, where it can tell, what to write instead.
func parsePattern(s string) (pattern, string) {
	p := pattern{raw: s}
	switch s {
	case AnyOrigin:
		p.kind = patAny
		return p, ""
	case CopyOrigin:
		p.kind = patCopy
		return p, ""
	case NullOrigin:
		p.kind = patNull
		return p, ""
	case "":
		return p, "an empty string is not an origin"
	}
	if strings.ContainsAny(s, " \t\r\n\v\f") {
		return p, "an origin contains no whitespace (list origins as separate entries)"
	}
	if len(s) > maxOriginLen {
		return p, "too long to be an origin"
	}
	if low := strings.ToLower(s); low != s {
		if q, msg := parsePattern(low); msg == "" {
			return p, "origins are written in lower case: write " + strconv.Quote(q.raw)
		}
		return p, "origins are written in lower case"
	}
	i := strings.Index(s, "://")
	if i < 0 {
		if strings.Contains(s, "/") || strings.Contains(s, ":") && !strings.HasPrefix(s, "[") ||
			strings.Contains(strings.TrimPrefix(s, "*."), "*") {
			return p, `not an origin: an origin is scheme "://" host [":" port], and a '*' stands only for whole leading labels or the port`
		}
		return p, "missing scheme: write " + strconv.Quote("https://"+s)
	}
	p.scheme = s[:i]
	if p.scheme == "" {
		return p, "missing scheme: write " + strconv.Quote("https"+s)
	}
	for j := 0; j < len(p.scheme); j++ {
		if !isSchemeChar(p.scheme[j], j == 0) {
			return p, "invalid scheme " + strconv.Quote(p.scheme)
		}
	}
	if p.scheme == "file" {
		return p, `file: documents have an opaque origin, which browsers send as "null"`
	}
	rest := s[i+3:]
	if k := strings.IndexAny(rest, "/?#"); k >= 0 {
		fix := ": write " + strconv.Quote(p.scheme+"://"+rest[:k])
		switch {
		case rest[k] == '/':
			return p, "an origin has no path, not even a trailing slash" + fix
		case rest[k] == '#':
			return p, "an origin has no fragment" + fix
		case strings.Contains(rest[k:], "="):
			return p, "an origin has no query" + fix
		}
		return p, "origin patterns have no single-character wildcard '?'"
	}
	if k := strings.LastIndexByte(rest, '@'); k >= 0 {
		return p, "an origin has no user information: write " + strconv.Quote(p.scheme+"://"+rest[k+1:])
	}
	// Split host and port.
	var host, port string
	hasPort := false
	if strings.HasPrefix(rest, "[") {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return p, "unterminated IPv6 address"
		}
		host, port = rest[:end+1], rest[end+1:]
		if port != "" {
			if port[0] != ':' {
				return p, "unexpected text after the IPv6 address"
			}
			port, hasPort = port[1:], true
		}
	} else if k := strings.IndexByte(rest, ':'); k >= 0 {
		host, port, hasPort = rest[:k], rest[k+1:], true
	} else {
		host = rest
	}
	// The port.
	switch {
	case !hasPort:
	case port == "*":
		p.anyPort = true
	case port == "":
		return p, "empty port: leave out the ':' or write a port number"
	case strings.Contains(port, "*"):
		return p, `a port wildcard is written ":*" and matches any port`
	case !validPort(port):
		if n, err := strconv.Atoi(port); err == nil && n > 0 && n <= 65535 {
			return p, "a port is written without leading zeros: write " + strconv.Quote(p.scheme+"://"+host+":"+strconv.Itoa(n))
		}
		return p, "invalid port " + strconv.Quote(port) + " (a port is a number from 1 to 65535)"
	case port == defaultPort(p.scheme):
		return p, "browsers leave the default port out of origins: write " + strconv.Quote(p.scheme+"://"+host)
	default:
		p.port = port
	}
	// The host.
	if strings.HasPrefix(host, "*.") {
		p.kind = patSub
		host = host[2:]
		if strings.HasPrefix(host, "[") || validIPv4(host) {
			return p, "a subdomain wildcard cannot apply to an IP address"
		}
	}
	if strings.Contains(host, "*") {
		return p, `a '*' is accepted only as a whole leading label ("https://*.example.com") or as the port ("http://localhost:*")`
	}
	switch {
	case host == "":
		return p, "missing host"
	case strings.HasPrefix(host, "["):
		inner := host[1 : len(host)-1]
		a, err := netip.ParseAddr(inner)
		if err != nil || !a.Is6() {
			return p, "invalid IPv6 address " + strconv.Quote(host)
		}
		if a.Zone() != "" {
			return p, "an origin never has an IPv6 zone"
		}
		if a.Is4In6() {
			return p, "browsers serialize IPv4-mapped IPv6 addresses in hexadecimal; use the IPv4 address or the hexadecimal form"
		}
		if a.String() != inner {
			return p, "browsers serialize IPv6 addresses in their shortest form: write " + strconv.Quote(p.scheme+"://["+a.String()+"]"+portSuffix(p))
		}
	case strings.HasSuffix(host, "."):
		return p, "a trailing dot makes a different origin, which browsers send only when the page's own URL has it: write " + strconv.Quote(p.scheme+"://"+strings.TrimSuffix(host, ".")+portSuffix(p))
	case !validDomain(host):
		for j := 0; j < len(host); j++ {
			if host[j] >= 0x80 {
				return p, "write internationalised domain names in their ASCII (punycode, xn--) form"
			}
		}
		return p, "invalid host " + strconv.Quote(host) + " (a host is made of letters, digits, '-' and '_' separated by single dots)"
	case lastLabelNumeric(host) && !validIPv4(host):
		return p, "invalid IPv4 address " + strconv.Quote(host) + " (write four decimal numbers from 0 to 255 without leading zeros)"
	}
	p.host = host
	return p, ""
}

func portSuffix(p pattern) string {
	switch {
	case p.anyPort:
		return ":*"
	case p.port != "":
		return ":" + p.port
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

// insecure reports whether a pattern lets plain-http pages (readable and
// writable by anyone on the network path) in, for hosts other than the
// local machine.
func (p *pattern) insecure() bool {
	return (p.kind == patExact || p.kind == patSub) && p.scheme == "http" && !isLoopbackHost(p.host)
}

// multiTenantSuffixes are domains under which unrelated parties get their
// own subdomain. A wildcard over one of them trusts every tenant. The list
// holds well-known hosting platforms; it is a safety net, not the Public
// Suffix List.
var multiTenantSuffixes = map[string]bool{
	"amazonaws.com": true, "amplifyapp.com": true, "app.github.dev": true,
	"appspot.com": true, "azurestaticapps.net": true, "azurewebsites.net": true,
	"bitbucket.io": true, "blogspot.com": true, "cloudapp.net": true,
	"cloudfront.net": true, "cloudfunctions.net": true, "codesandbox.io": true,
	"csb.app": true, "deno.dev": true, "duckdns.org": true, "elasticbeanstalk.com": true,
	"firebaseapp.com": true, "fly.dev": true, "github.io": true, "githubusercontent.com": true,
	"gitlab.io": true, "gitpod.io": true, "glitch.me": true, "googleusercontent.com": true,
	"herokuapp.com": true, "loca.lt": true, "myshopify.com": true, "netlify.app": true,
	"ngrok-free.app": true, "ngrok.app": true, "ngrok.io": true, "onrender.com": true,
	"pages.dev": true, "railway.app": true, "readthedocs.io": true, "repl.co": true,
	"replit.dev": true, "run.app": true, "s3.amazonaws.com": true, "surge.sh": true,
	"trycloudflare.com": true, "vercel.app": true, "web.app": true, "workers.dev": true,
}

// genericSecondLevel are the second-level labels that many country-code
// top-level domains register under (co.uk, com.au, ac.jp ...).
var genericSecondLevel = map[string]bool{
	"ac": true, "co": true, "com": true, "edu": true, "go": true, "gob": true,
	"gouv": true, "gov": true, "gv": true, "ltd": true, "mil": true, "ne": true,
	"net": true, "nic": true, "nom": true, "or": true, "org": true, "plc": true,
	"sch": true,
}

// isPublicSuffix reports whether d is a domain under which anyone can
// register or be given a name: a top-level domain, a generic second level
// under a country code (co.uk), or a well-known multi-tenant platform.
func isPublicSuffix(d string) bool {
	dot := strings.IndexByte(d, '.')
	if dot < 0 {
		return d != "localhost"
	}
	if multiTenantSuffixes[d] {
		return true
	}
	sld, tld := d[:dot], d[dot+1:]
	return len(tld) == 2 && !strings.Contains(tld, ".") && genericSecondLevel[sld]
}

// reqOrigin is a request's Origin value, parsed on first use.
type reqOrigin struct {
	raw    string
	parsed bool
	ok     bool
	o      origin
}

func (r *reqOrigin) get() (origin, bool) {
	if !r.parsed {
		r.o, r.ok = parseOrigin(r.raw)
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

// originMatcher is the compiled form of one policy's AllowedOrigins.
type originMatcher struct {
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

func compileOrigins(ps []pattern) originMatcher {
	var m originMatcher
	var exact []string
	seen := map[string]bool{}
	for _, p := range ps {
		switch p.kind {
		case patAny:
			m.any = true
		case patCopy:
			m.reflect = true
		case patNull, patExact:
			if p.kind == patExact && p.anyPort {
				if m.anyPort == nil {
					m.anyPort = map[string]struct{}{}
				}
				m.anyPort[p.scheme+"://"+p.host] = struct{}{}
				continue
			}
			if !seen[p.raw] {
				seen[p.raw] = true
				exact = append(exact, p.raw)
			}
		case patSub:
			if m.sub == nil {
				m.sub = map[string][]subEntry{}
			}
			m.sub[p.host] = append(m.sub[p.host], subEntry{scheme: p.scheme, port: p.port, anyPort: p.anyPort})
		}
	}
	if len(exact) > exactListMax {
		m.exactM = make(map[string]struct{}, len(exact))
		for _, e := range exact {
			m.exactM[e] = struct{}{}
		}
	} else {
		m.exact = exact
	}
	m.parse = m.reflect || m.anyPort != nil || m.sub != nil
	return m
}

// match reports whether the request's single Origin value is allowed.
func (m *originMatcher) match(ro *reqOrigin) bool {
	if m.any {
		return true
	}
	for _, e := range m.exact {
		if e == ro.raw {
			return true
		}
	}
	if m.exactM != nil {
		if _, ok := m.exactM[ro.raw]; ok {
			return true
		}
	}
	if !m.parse {
		return false
	}
	o, ok := ro.get()
	if !ok {
		return false
	}
	if m.reflect {
		return true
	}
	if m.anyPort != nil {
		if _, ok := m.anyPort[ro.raw[:len(o.scheme)+3+len(o.host)]]; ok {
			return true
		}
	}
	if m.sub != nil && o.host[0] != '[' {
		h := o.host
		for i := 0; i < len(h); i++ {
			if h[i] != '.' {
				continue
			}
			for _, e := range m.sub[h[i+1:]] {
				if e.scheme == o.scheme && (e.anyPort || e.port == o.port) {
					return true
				}
			}
		}
	}
	return false
}
