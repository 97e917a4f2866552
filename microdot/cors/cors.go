package cors

import (
	"net/http"
	"sync"
	"sync/atomic"
)

// CORS is a compiled CORS configuration. It answers preflights and adds the
// CORS headers to responses, through an App's hooks (New, Initialize),
// through net/http middleware (Handler), or by hand (GetCORSHeaders). It is
// safe for concurrent use, and Update changes its configuration while it
// serves.
type CORS struct {
	snap atomic.Pointer[snapshot]
	mu   sync.Mutex       // serialises Update and Initialize
	apps map[any]struct{} // apps attached to, so none is attached twice
	// values hands out the header values of responses, writers the
	// writers of Handler's disallowed requests (see slots.go).
	values  *slabs[string]
	writers *slabs[stripWriter]
}

func newCORS() *CORS {
	return &CORS{values: &slabs[string]{}, writers: &slabs[stripWriter]{}}
}

// Config returns a deep copy of the configuration in force, as it was given
// to New or left by the last successful Update. Changing it changes nothing:
// pass changes to Update.
func (c *CORS) Config() Config {
	s := c.snap.Load()
	if s == nil {
		return Config{}
	}
	return s.cfg.clone()
}

// Update applies change to a copy of the configuration in force, validates
// the result and, when it is valid, puts it in force atomically: every
// request sees either the old or the new configuration, never a mix. On
// error nothing changes and the error lists the problems found. Update is
// safe to call while requests are being served, for example to add an
// origin read from a database.
//
// Update cannot recall what browsers have cached: a preflight answered
// under the old configuration stays valid in a browser for its MaxAge.
func (c *CORS) Update(change func(*Config)) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var cfg Config
	if s := c.snap.Load(); s != nil {
		cfg = s.cfg.clone()
	}
	if change != nil {
		change(&cfg)
	}
	s, err := compile(cfg, c.values)
	if err != nil {
		return err
	}
	c.snap.Store(s)
	return nil
}

// GetCORSHeaders returns the CORS headers that apply to the response to r:
// for an actual request, Access-Control-Allow-Origin and its companions when
// the origin is allowed, and Vary: Origin whenever the answer depends on the
// Origin; for a preflight (see IsPreflight), every header of a successful
// answer, or an empty Header when the preflight fails and should be answered
// with 403. Routes are unknown here, so a preflight is judged as Handler
// judges it. Custom middleware uses it to compose the headers by hand; the
// returned Header is the caller's.
func (c *CORS) GetCORSHeaders(r *http.Request) http.Header {
	h := http.Header{}
	s := c.snap.Load()
	if s == nil {
		return h
	}
	if origins, acrm, ok := preflightFields(r); ok {
		q := preflightReq{r: r, origins: origins, acrm: acrm}
		s.preflight(h, &q)
		return h
	}
	s.actual(h, r)
	return h
}
