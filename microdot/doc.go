// Package microdot is a small web framework in the style of Python's Microdot,
// built on net/http and github.com/julienschmidt/httprouter.
//
// An [App] holds routes, before and after hooks and error handlers, and is an
// [net/http.Handler]:
//
//	app := microdot.New()
//	app.Get("/users/<int:id>", func(req *microdot.Request) (*microdot.Response, error) {
//		id, _ := req.ParamInt("id")
//		user, ok := users[id]
//		if !ok {
//			return nil, microdot.Abort(404, "no such user")
//		}
//		return microdot.JSON(user), nil
//	})
//	app.Run(":8080")
//
// # Routing
//
// Patterns take Microdot's syntax (<name>, <int:name>, <path:name>,
// <re:REGEX:name>, and converters registered with [App.Converter]) and
// httprouter's (:name, *name). Unlike plain httprouter, static and parameter
// routes may share a position (/users/new beside /users/<id>). Unknown paths
// get 404, known paths with another method 405 with an Allow header; HEAD is
// served by GET routes without the body; OPTIONS is answered automatically
// with 204 and Allow.
//
// # Hooks and errors
//
// [App.BeforeRequest] hooks run before the handler and may answer in its
// place; [App.AfterRequest] hooks run on successful responses and
// [App.AfterErrorRequest] hooks on all others (404, 405, 413, errors, panics,
// automatic OPTIONS), so that together they see every response. A handler
// returns an error to fail: [Abort] gives it a status, and error handlers
// registered by status ([App.ErrorHandler]) or by type ([HandleError]) turn it
// into a response. A panic becomes a logged 500 and the server keeps serving.
//
// # Responses
//
// [Text], [HTML], [JSON], [Bytes], [File], [SendFile], [StaticFiles],
// [Redirect] and [Stream] build responses; a nil response is 204 No Content.
// Streams are flushed as they are written and stop when the client leaves.
// Pre-compressed .gz assets are served with Content-Encoding to clients that
// accept gzip.
//
// # Serving and testing
//
// [App.Run] serves with safe timeouts and shuts down gracefully on SIGINT and
// SIGTERM; [TestClient] drives an App in memory with a cookie jar.
package microdot
