package auth

import "github.com/microdot-go/microdot/microdot"

// userKey is the request scratch key of the authenticated user.
const userKey = "microdot/auth:user"

// CurrentUser returns the user that authenticated req (what the check
// function of BasicAuth or TokenAuth returned, or what SetCurrentUser
// stored), or nil when nobody is authenticated. It is Microdot's
// request.g.current_user.
func CurrentUser(req *microdot.Request) any {
	u, _ := req.Get(userKey)
	return u
}

// SetCurrentUser records user as the one that authenticated req, for
// CurrentUser. Other ways of authenticating, such as the login package,
// call it so that handlers find the user in one place.
func SetCurrentUser(req *microdot.Request, user any) {
	req.Set(userKey, user)
}
