package main

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
)

// defaultPassword is the password when none is given: fine on loopback,
// dangerous anywhere else.
const defaultPassword = "camera"

// allowedHosts returns the hosts that the camera answers to: localhost, the
// loopback addresses, the addresses it listens on (every address of the
// machine's interfaces for 0.0.0.0 or ::) and the extra names. An IP
// address in a Host header cannot be the work of DNS rebinding, which needs
// a name the attacker controls; names must be listed.
func allowedHosts(listening []net.Addr, extra []string) []string {
	hosts := []string{"localhost", "127.0.0.1", "::1"}
	for _, addr := range listening {
		host, _, err := net.SplitHostPort(addr.String())
		if err != nil {
			continue
		}
		ip := net.ParseIP(host)
		if ip == nil || !ip.IsUnspecified() {
			hosts = append(hosts, host)
			continue
		}
		ifaddrs, err := net.InterfaceAddrs()
		if err != nil {
			continue
		}
		for _, a := range ifaddrs {
			if n, ok := a.(*net.IPNet); ok {
				hosts = append(hosts, n.IP.String())
			}
		}
	}
	return append(hosts, extra...)
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// beyondLoopback reports whether addr can be reached from other machines.
func beyondLoopback(addr net.Addr) bool {
	host, _, err := net.SplitHostPort(addr.String())
	if err != nil {
		return true
	}
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}

// warnIfExposed warns, loudly, when the API listens beyond loopback with
// the default password: anyone on the network could change the settings.
func warnIfExposed(stderr io.Writer, logger *slog.Logger, api net.Addr, password string) {
	if password != defaultPassword || !beyondLoopback(api) {
		return
	}
	logger.Warn("camera: the API listens beyond loopback with the default password; anyone on the network can log in: set -password or $CAMERA_PASSWORD",
		"api", api.String())
	fmt.Fprintf(stderr, "\n"+
		"  *****************************************************************\n"+
		"  WARNING: the camera API listens on %s, beyond this machine,\n"+
		"  with the default password %q: anyone on the network can log\n"+
		"  in and change the settings. Set -password or $CAMERA_PASSWORD.\n"+
		"  *****************************************************************\n\n",
		api, defaultPassword)
}
