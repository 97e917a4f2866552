// Package auth protects routes with HTTP Basic or token authentication, as
// Microdot's auth extension does: BasicAuth and TokenAuth take a function
// that checks the credentials and returns the user, their Required and
// Optional methods wrap handlers, and CurrentUser gives the user to the
// handler.
//
// Guessing is bounded: each BasicAuth and TokenAuth has a Limiter that
// counts failed credentials per client address and answers 429 Too Many
// Requests, with Retry-After, to a client that failed too often.
//
//	basic := auth.NewBasic(func(req *microdot.Request, user, password string) (any, error) {
//		if user == "susan" && checkPassword(user, password) {
//			return user, nil
//		}
//		return nil, nil // wrong credentials: 401
//	})
//	app.Get("/", basic.Required(func(req *microdot.Request) (*microdot.Response, error) {
//		return microdot.Text("Hello, " + auth.CurrentUser(req).(string)), nil
//	}))
package auth
