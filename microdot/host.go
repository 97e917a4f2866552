package microdot

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// SetAllowedHosts restricts the host names that a answers to, the defence
// against DNS rebinding: a web page on rebind.attacker.example whose DNS
// name is made to point at a device on the LAN is same-origin with that
// device, and its scripts could use the device's API with the visitor's
// browser, but its requests carry "Host: rebind.attacker.example". A
// request whose Host is not allowed gets 421 Misdirected Request before
// any hook or handler runs, and so does a request without a Host (HTTP/1.0).
//
// Each entry is a host name, an IPv4 address or an IPv6 address (with or
// without brackets), optionally with a port: "camera.local" matches that
// name with any port or none, "camera.local:8080" only with port 8080.
// An entry starting with a dot, ".example.com", matches example.com and
// every subdomain. Matching ignores case and a trailing dot.
//
// With no entries, the default, every host is allowed. A device reachable
// on a LAN should set its names and addresses, for example
//
//	app.SetAllowedHosts("localhost", "127.0.0.1", "::1", "camera.local", "192.168.1.20")
//
// An invalid entry (a URL, a path, "*", an empty string) is an error that
// names it, and nothing changes. SetAllowedHosts is safe to call while a
// serves requests; each request sees the old or the new list. It applies to
// the App that serves the request: the hosts of a mounted App are ignored.
func (a *App) SetAllowedHosts(hosts ...string) error {
	if len(hosts) == 0 {
		a.hosts.Store(nil)
		return nil
	}
	set := &hostSet{raw: append([]string(nil), hosts...)}
	var errs []error
	for _, h := range hosts {
		e, err := parseHostEntry(h)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		set.entries = append(set.entries, e)
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	a.hosts.Store(set)
	return nil
}

// AllowedHosts returns the entries given to SetAllowedHosts, or nil when
// every host is allowed.
func (a *App) AllowedHosts() []string {
	if s := a.hosts.Load(); s != nil {
		return append([]string(nil), s.raw...)
	}
	return nil
}

// hostSet is the compiled form of the allowed hosts.
type hostSet struct {
	raw     []string
	entries []hostEntry
}

type hostEntry struct {
	host string // lower case, no trailing dot, IPv6 without brackets
	port string // "" for any port
	sub  bool   // subdomains match too
}

func parseHostEntry(s string) (hostEntry, error) {
	bad := func(why string) (hostEntry, error) {
		return hostEntry{}, fmt.Errorf("microdot: allowed host %q: %s; give a host name or IP address, optionally with :port, such as \"camera.local\" or \"192.168.1.20:8080\"", s, why)
	}
	switch {
	case s == "":
		return bad("empty")
	case s == "*":
		return bad(`"*" would allow any host: to allow every host, set no hosts at all`)
	case strings.ContainsAny(s, "/@ \t\r\n") || strings.Contains(s, "://"):
		return bad("not a bare host")
	}
	var e hostEntry
	rest := s
	if strings.HasPrefix(rest, ".") {
		e.sub, rest = true, rest[1:]
	}
	host, port, ok := splitHostPort(rest)
	if !ok || host == "" {
		return bad("malformed host or port")
	}
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return bad("the port must be a number from 1 to 65535")
		}
	}
	if e.sub && net.ParseIP(host) != nil {
		return bad("an IP address has no subdomains")
	}
	e.host, e.port = host, port
	return e, nil
}

// splitHostPort splits a Host header value or an entry into its normalised
// host (lower case, no trailing dot, IPv6 without brackets) and its port
// ("" when none). ok is false when it is malformed.
func splitHostPort(s string) (host, port string, ok bool) {
	switch {
	case strings.HasPrefix(s, "["):
		end := strings.IndexByte(s, ']')
		if end < 0 || net.ParseIP(s[1:end]) == nil {
			return "", "", false
		}
		host, rest := s[1:end], s[end+1:]
		if rest != "" {
			if !strings.HasPrefix(rest, ":") || len(rest) == 1 {
				return "", "", false
			}
			port = rest[1:]
		}
		return strings.ToLower(host), port, true
	case strings.Count(s, ":") > 1:
		if net.ParseIP(s) == nil { // a bare IPv6 address, in entries
			return "", "", false
		}
		return strings.ToLower(s), "", true
	}
	host, port, found := strings.Cut(s, ":")
	if found && port == "" {
		return "", "", false
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	return host, port, host != ""
}

// allows reports whether the Host header value h is allowed.
func (s *hostSet) allows(h string) bool {
	host, port, ok := splitHostPort(h)
	if !ok {
		return false
	}
	for _, e := range s.entries {
		if e.port != "" && e.port != port {
			continue
		}
		if host == e.host || e.sub && strings.HasSuffix(host, "."+e.host) {
			return true
		}
	}
	return false
}

// misdirected answers r with 421 when its Host is not allowed, and reports
// whether it did.
func (a *App) misdirected(w http.ResponseWriter, r *http.Request) bool {
	s := a.hosts.Load()
	if s == nil || s.allows(r.Host) {
		return false
	}
	a.logger().Info("microdot: refused a request for a host that is not allowed",
		slog.String("host", r.Host), slog.String("remote", r.RemoteAddr))
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Connection", "close")
	w.WriteHeader(http.StatusMisdirectedRequest)
	fmt.Fprintf(w, "misdirected request: this server does not answer to the host %q; use one of its own names or addresses\n", r.Host)
	return true
}
