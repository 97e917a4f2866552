// Package login logs users in and out of a session, as Microdot's login
// extension does: Required sends users who are not logged in to the login
// page (with a "next" that brings them back), LoginUser and LogoutUser
// change the session, a "remember me" cookie keeps users logged in after
// the session cookie is gone, and Fresh protects sensitive routes from
// remembered logins.
//
// The App checks passwords itself; Throttle and Failed bound guessing by
// answering 429 to a client that failed too often.
//
//	lg := login.New(sess, func(req *microdot.Request, id string) (any, error) {
//		return users[id], nil
//	})
//	app.Get("/", lg.Required(index))
//	app.Post("/login", lg.Throttle(func(req *microdot.Request) (*microdot.Response, error) {
//		form, _ := req.FormValues()
//		user, ok := checkPassword(form.Get("username"), form.Get("password"))
//		if !ok {
//			lg.Failed(req)
//			return microdot.Text("wrong username or password").WithStatus(401), nil
//		}
//		return lg.LoginUser(req, user.ID, user, 0)
//	}))
package login
