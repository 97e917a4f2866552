package headers

import "strings"

// forbiddenRequestHeaders are the Fetch standard's forbidden request-header
// names, in lower case: browsers set them themselves, scripts cannot, so they
// never appear in Access-Control-Request-Headers and listing them is a
// mistake.
var forbiddenRequestHeaders = map[string]bool{
	"accept-charset":                 true,
	"accept-encoding":                true,
	"access-control-request-headers": true,
	"access-control-request-method":  true,
	"connection":                     true,
	"content-length":                 true,
	"cookie":                         true,
	"cookie2":                        true,
	"date":                           true,
	"dnt":                            true,
	"expect":                         true,
	"host":                           true,
	"keep-alive":                     true,
	"origin":                         true,
	"referer":                        true,
	"set-cookie":                     true,
	"te":                             true,
	"trailer":                        true,
	"transfer-encoding":              true,
	"upgrade":                        true,
	"via":                            true,
}

// RequestHeaderProblem explains why the name low (in lower case) cannot be
// allowed in a preflight, or returns "".
func RequestHeaderProblem(low string) string {
	switch {
	case forbiddenRequestHeaders[low],
		strings.HasPrefix(low, "proxy-"),
		strings.HasPrefix(low, "sec-"):
		return "a forbidden request-header name: browsers set it themselves and never ask for it in a preflight; remove it"
	case strings.HasPrefix(low, "access-control-"):
		return "belongs to the CORS protocol itself, not to a request a script sends; remove it"
	}
	return ""
}

// IsCORSResponseHeader reports whether name, in any case, is one of the
// Access-Control-* response headers that only the CORS policy may set.
func IsCORSResponseHeader(name string) bool {
	const prefix = "access-control-"
	return len(name) > len(prefix) && EqualLower(name[:len(prefix)], prefix)
}
