package cors

import "strings"

// normalizedMethods are the methods that the Fetch standard upper-cases
// (fetch("/", {method: "delete"}) sends DELETE); every other method is sent,
// and compared, exactly as written.
var normalizedMethods = [...]string{"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"}

// normalizeMethod upper-cases m when it is one of the methods the Fetch
// standard normalises, and returns it unchanged otherwise.
func normalizeMethod(m string) string {
	for _, n := range normalizedMethods {
		if strings.EqualFold(m, n) {
			return n
		}
	}
	return m
}

// isForbiddenMethod reports whether m is one of the methods browsers refuse
// to send from scripts (CONNECT, TRACE, TRACK), in any case.
func isForbiddenMethod(m string) bool {
	switch len(m) {
	case 5:
		return strings.EqualFold(m, "TRACE") || strings.EqualFold(m, "TRACK")
	case 7:
		return strings.EqualFold(m, "CONNECT")
	}
	return false
}

// isSafelistedMethod reports whether m is a CORS-safelisted method. Browsers
// never check such a method against Access-Control-Allow-Methods: a preflight
// for one happens only because of its headers.
func isSafelistedMethod(m string) bool {
	return m == "GET" || m == "HEAD" || m == "POST"
}

// methodSet is the compiled form of AllowedMethods.
type methodSet struct {
	// unset is true when AllowedMethods is nil: in an App, the methods the
	// route serves; in Handler, the CORS-safelisted methods.
	unset bool
	// any is true when AllowedMethods has "*": every method (that the
	// route serves, in an App).
	any bool
	// list holds the listed methods, normalised, without repeats.
	list []string
}

func (ms *methodSet) has(m string) bool {
	for _, x := range ms.list {
		if x == m {
			return true
		}
	}
	return false
}

// selects reports whether a policy with this set is a candidate for method m
// under the verbmatch strategy: its literal list names m, or it has no list.
func (ms *methodSet) selects(m string) bool {
	return ms.unset || ms.any || ms.has(m)
}

// allows reports whether a preflight may go on for method m. In an App
// (inApp), route lists the methods the route at the request's path serves,
// and m must be one of them.
func (ms *methodSet) allows(m string, route []string, inApp bool) bool {
	if isForbiddenMethod(m) {
		return false
	}
	if inApp {
		served := false
		for _, x := range route {
			if x == m {
				served = true
				break
			}
		}
		if !served {
			return false
		}
		if ms.unset {
			return true
		}
	}
	return ms.any || isSafelistedMethod(m) || ms.has(m)
}
