package cors

import (
	"net/http"
	"strings"

	"github.com/microdot-go/microdot/microdot/cors/internal/headers"
)

// Header names used on the hot path, in canonical form so that they index
// an http.Header directly.
const (
	hOrigin = "Origin"
	hVary   = "Vary"

	hACRM  = "Access-Control-Request-Method"
	hACRH  = "Access-Control-Request-Headers"
	hACRPN = "Access-Control-Request-Private-Network"

	hACAO  = "Access-Control-Allow-Origin"
	hACAC  = "Access-Control-Allow-Credentials"
	hACAM  = "Access-Control-Allow-Methods"
	hACAH  = "Access-Control-Allow-Headers"
	hACMA  = "Access-Control-Max-Age"
	hACEH  = "Access-Control-Expose-Headers"
	hACAPN = "Access-Control-Allow-Private-Network"
)

// The Vary values of the extension's responses.
const (
	varyActual    = "Origin"
	varyPreflight = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
	varyPNA       = varyPreflight + ", Access-Control-Request-Private-Network"
)

// addVary merges the comma-separated tokens of value into h's Vary field:
// tokens already present (compared case-insensitively) are not repeated,
// and a Vary of "*" is left alone. When h has no Vary yet, slot (a one-element
// slice that belongs to this response) receives value and becomes the field.
func addVary(h http.Header, value string, slot []string) {
	old := h[hVary]
	if len(old) == 0 {
		slot[0] = value
		h[hVary] = slot
		return
	}
	var missing []string
	for rest := value; rest != ""; {
		var tok string
		tok, rest = headers.NextElement(rest)
		if tok != "" && !headers.ListCovers(old, tok) {
			missing = append(missing, tok)
		}
	}
	if len(missing) == 0 {
		return
	}
	// A fresh backing array: old may have spare capacity that belongs to
	// someone else.
	h[hVary] = append(old[:len(old):len(old)], strings.Join(missing, ", "))
}

// stripCORS deletes from h every Access-Control-* field, whoever set it: a
// response to a disallowed origin, or to a request without Origin, carries
// none.
func stripCORS(h http.Header) {
	for k := range h {
		if headers.IsCORSResponseHeader(k) {
			delete(h, k)
		}
	}
}
