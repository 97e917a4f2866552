// Package csrf refuses cross-site requests that could change state, as
// Microdot's CSRF extension does. It builds on the standard library's
// http.CrossOriginProtection, which reads the browser's Sec-Fetch-Site
// header (and, from older browsers, Origin against Host): unsafe methods
// (anything but GET, HEAD and OPTIONS) are refused with 403 unless the
// request comes from the same origin, from an origin that the App's CORS
// policy lists by name, or (with AllowSubdomains) from the same site.
// Requests without either header, from programs rather than browsers, are
// allowed. A CORS "*" is never trusted.
//
//	c, _ := cors.New(app, cors.Config{AllowedOrigins: []string{"https://dashboard.lan:8081"}, AllowCredentials: true})
//	x, _ := csrf.New(app, c) // every unsafe request to app is checked
//	x.ExemptRoute("/webhook")
//
// With a nil App, nothing is checked until handlers are wrapped with Protect.
package csrf
