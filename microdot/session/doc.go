// Package session keeps a user's session in a signed cookie, as Microdot's
// session extension does: the cookie holds a JWT signed with HS256 and the
// App's secret key, so a cookie written by a Microdot app with the same key
// is read here, and the reverse.
//
// The session is stateless: nothing is stored on the server, and any number
// of replicas that share the key share the sessions. Its content is signed,
// not encrypted: the user can read it, but cannot change it.
//
//	s, err := session.New(app, os.Getenv("SECRET_KEY"))
//	app.Post("/name", func(req *microdot.Request) (*microdot.Response, error) {
//		data := s.Get(req)
//		data["name"] = req.Args().Get("name")
//		return microdot.Text("saved"), s.Save(req, data)
//	})
package session
