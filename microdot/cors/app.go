package cors

import (
	"net/http"

	"github.com/microdot-go/microdot/microdot"
)

// New validates cfg and returns the CORS extension it describes. When app is
// not nil, the extension is attached to it at once (see Initialize); with a
// nil app nothing is attached (Microdot's handle_cors=False): Handler and
// GetCORSHeaders work all the same, and Initialize attaches later.
//
// A configuration that is invalid or insecure is an error that lists every
// problem found (each a *ConfigError), and nothing is attached.
func New(app *microdot.App, cfg Config) (*CORS, error) {
	c := newCORS()
	s, err := compile(cfg, c.values)
	if err != nil {
		return nil, err
	}
	c.snap.Store(s)
	if app != nil {
		c.Initialize(app)
	}
	return c, nil
}

// Initialize attaches the extension to app, for a CORS made with a nil app:
//
//   - an OptionsHandler answers preflights (OPTIONS requests with Origin and
//     Access-Control-Request-Method) before routing and before any
//     BeforeRequest hook, so an authentication hook cannot break them. The
//     requested method must be allowed by the configuration and served by
//     the route at the request's path; a path with no route is left to the
//     App, which answers 404;
//   - an AfterRequest and an AfterErrorRequest hook add the CORS headers to
//     every other response, whatever its status: handler results,
//     BeforeRequest short-circuits, 404, 405, 413, Abort, errors, panics
//     and the automatic OPTIONS reply.
//
// Attaching the same CORS to the same App again does nothing. Attach it
// before the App serves requests, as with any hook, and before the App is
// mounted into another (a mounted App takes no more hooks and panics).
func (c *CORS) Initialize(app *microdot.App) {
	if app == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.apps[app]; ok {
		return
	}
	// The App panics when it cannot take hooks any more (it is mounted):
	// record the attachment only once it is done.
	app.OptionsHandler(c.answerOptions)
	app.AfterRequest(c.afterRequest)
	app.AfterErrorRequest(c.afterRequest)
	if c.apps == nil {
		c.apps = map[any]struct{}{}
	}
	c.apps[app] = struct{}{}
}

// answerOptions is the App's OptionsFunc: it answers the preflights of paths
// that have routes and declines everything else.
func (c *CORS) answerOptions(req *microdot.Request, res *microdot.Response) bool {
	s := c.snap.Load()
	if s == nil {
		return false
	}
	origins, acrm, ok := preflightFields(req.Request)
	if !ok {
		return false
	}
	q := preflightReq{r: req.Request, origins: origins, acrm: acrm, app: req}
	status := s.preflight(res.Header, &q)
	if status == 0 {
		return false // no route at the path: the App's 404
	}
	res.StatusCode = status
	return true
}

// afterRequest is the App's AfterRequest and AfterErrorRequest hook.
func (c *CORS) afterRequest(req *microdot.Request, res *microdot.Response) *microdot.Response {
	s := c.snap.Load()
	if s == nil || req == nil || req.Request == nil {
		return nil
	}
	if res.Header == nil {
		res.Header = http.Header{}
	}
	if isPreflight(req.Request) {
		// Answered by answerOptions (which set everything it wanted), or by
		// the App or another OptionsFunc: never an actual response, so only
		// the Vary that every origin-dependent response carries.
		// The extension's own answers carry their Vary already.
		if s.plainAny == nil && len(res.Header[hVary]) == 0 {
			var f fields
			f.add(hVary, varyActual)
			f.write(res.Header, s.slabs, req.Request)
		}
		return nil
	}
	if !s.actual(res.Header, req.Request) {
		// A disallowed origin, or none: no Access-Control-* header,
		// not even one the handler set itself.
		stripCORS(res.Header)
	}
	return nil
}
