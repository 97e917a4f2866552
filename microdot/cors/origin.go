package cors

import "github.com/microdot-go/microdot/microdot/cors/internal/origins"

// The special entries of AllowedOrigins.
const (
	// AnyOrigin allows every origin; responses carry the literal "*".
	// It cannot be combined with AllowCredentials.
	AnyOrigin = origins.Any
	// CopyOrigin reflects the request's Origin, whatever it is, as long as
	// it is a well-formed serialized origin (so never "null"). It is
	// wsgicors's "copy" and cannot be combined with AllowCredentials.
	CopyOrigin = origins.Copy
	// NullOrigin allows the opaque origin "null" (sandboxed documents,
	// data: URLs, redirects across origins). It cannot be combined with
	// AllowCredentials.
	NullOrigin = origins.Null
)
