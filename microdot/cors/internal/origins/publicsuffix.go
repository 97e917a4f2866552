package origins

import "golang.org/x/net/publicsuffix"

// IsPublicSuffix reports whether anyone can register, or be given, a name
// directly under the domain d: d is on the Public Suffix List (its ICANN
// section, such as "com" and "org.uk", or its private section, such as
// "github.io" and "ddns.net"), or is a top-level domain the list does not
// know. "localhost" is not one: its names are the local machine's.
func IsPublicSuffix(d string) bool {
	if d == "localhost" {
		return false
	}
	ps, _ := publicsuffix.PublicSuffix(d)
	return ps == d
}
