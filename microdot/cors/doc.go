// Package cors is the Cross-Origin Resource Sharing extension of microdot:
// it lets scripts running on other origins call an App (or any
// http.Handler), and keeps every other origin out.
//
// It offers the API of Microdot's cors module (New with an App, Initialize,
// GetCORSHeaders) and the named policies and configuration file of wsgicors,
// with their flaws fixed: configurations are validated as a whole, origins
// are parsed rather than pattern-matched, credentials never go to "*",
// "copy" or "null", Vary is always right, and preflights are answered by the
// extension itself, route-aware, with 403 when they fail.
//
// With an App:
//
//	app := microdot.New()
//	_, err := cors.New(app, cors.Config{
//		AllowedOrigins:   []string{"https://dashboard.example.com"},
//		AllowCredentials: true,
//		MaxAge:           600,
//	})
//
// With net/http:
//
//	c, err := cors.New(nil, cors.Config{AllowedOrigins: []string{"*"}})
//	http.ListenAndServe(":8080", c.Handler(mux))
//
// A dashboard on a public origin that calls a device on the local network
// meets, in current Chromium, a Local Network Access permission prompt
// rather than a Private Network Access preflight: until the user grants it,
// requests fail whatever the device answers. AllowPrivateNetwork still
// answers the preflight for the clients that send it.
//
// The configuration in force is an immutable snapshot; Update swaps in a new
// one atomically while requests are served, and Config returns a copy.
// docs/cors.md is the guide: how CORS works, every option, the file format,
// recipes and the security choices.
package cors
