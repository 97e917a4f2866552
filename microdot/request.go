package microdot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/julienschmidt/httprouter"
)

// Request is the request a Handler answers: the standard *http.Request
// (Method, URL, Header, Body, Context, Cookie ... are the usual ones) plus the
// matched route's parameters, parsed query arguments, body decoding, a
// scratch space for hooks, and per-request after hooks.
//
// A Request is valid until its response has been written; the App reuses it
// afterwards. A goroutine that outlives the handler must copy what it needs
// (or use req.Request, the *http.Request, which is never reused).
type Request struct {
	*http.Request

	w         http.ResponseWriter
	e         *engine
	route     *route
	ps        httprouter.Params // the values of a plain route, straight from httprouter
	vals      []string          // the values of other routes, in the order of route.pattern.names
	parsed    []any             // what converters made of vals (kept for custom ones)
	args      url.Values
	g         map[string]any
	after     []AfterFunc
	spare     Response  // the response for nil results and OPTIONS replies
	probe     *probe    // created when the slow path first needs it
	closer    io.Closer // a file being sent
	adopted   *Response // the response whose headers are in the live map
	adoptedCT []string  // the Content-Type it put there
	body      []byte    // the body of the adopted response, when it is bytes (or encoded JSON)
	jsonBody  []byte    // the request body that DecodeJSON read, for the next call
	slab      []string  // unused header values, see HeaderValues

	path    pathInfo // filled in by lookupPath
	started bool     // the response status has been written
	erring  bool     // the error response is being sent (see finishError)
}

func (e *engine) acquire(w http.ResponseWriter, r *http.Request) *Request {
	req, _ := e.app.reqPool.Get().(*Request)
	if req == nil {
		req = &Request{}
	}
	req.Request, req.w, req.e = r, w, e
	if len(req.vals) < e.maxParams {
		req.vals = make([]string, e.maxParams)
		req.parsed = make([]any, e.maxParams)
	}
	// ContentLength is 0 exactly when there is no body (-1 when its length is
	// unknown), which is cheaper to test than comparing Body with http.NoBody.
	if r.ContentLength != 0 && r.Body != nil {
		body := r.Body
		if e.maxBody >= 0 {
			body = http.MaxBytesReader(w, body, e.maxBody)
		}
		r.Body = &bodyReader{body}
	}
	return req
}

func (e *engine) release(req *Request) {
	if req.closer != nil {
		req.closer.Close()
	}
	// Field by field: assigning a whole Request would copy the large probe
	// and spare and cost write barriers on every request.
	if req.ps == nil {
		clear(req.vals)
		clear(req.parsed)
	}
	if len(req.after) > 0 {
		clear(req.after)
		req.after = req.after[:0]
	}
	// req.spare is left as it is: the next request overwrites it whole.
	req.Request, req.w, req.e, req.route, req.ps = nil, nil, nil, nil, nil
	req.args, req.closer, req.started, req.adopted, req.adoptedCT = nil, nil, false, nil, nil
	// The scratch map is kept for the next request, emptied, so that a hook
	// that calls Set on every request allocates it once; one that grew
	// large is dropped.
	if len(req.g) > maxKeptScratch {
		req.g = nil
	} else if len(req.g) > 0 {
		clear(req.g)
	}
	req.erring = false
	if req.body != nil {
		req.body = nil
	}
	req.jsonBody = nil
	if req.path.done {
		req.path = pathInfo{}
	}
	e.app.reqPool.Put(req)
}

// App returns the App that serves the request (the outermost one when Apps are mounted).
func (r *Request) App() *App { return r.e.app }

// MountPrefix returns the prefix under which the matched route's App was
// mounted (Microdot's url_prefix), or "" for the App's own routes.
func (r *Request) MountPrefix() string {
	if r.route == nil {
		return ""
	}
	return r.route.prefix
}

// PathValue returns the value of the path parameter name, decoded from any
// percent-escapes, or "" when the route has no such parameter. It replaces
// [http.Request.PathValue], which the App does not fill in.
func (r *Request) PathValue(name string) string {
	if r.route == nil {
		return ""
	}
	for i, n := range r.route.pattern.names {
		if n == name {
			return r.value(i)
		}
	}
	return ""
}

// value returns the i-th parameter value of the matched route.
func (r *Request) value(i int) string {
	if r.ps != nil {
		return r.ps[i].Value
	}
	return r.vals[i]
}

// Param returns the value of the path parameter name as its converter made
// it: an int for "<int:id>", a string for plain parameters, whatever a custom
// converter's Parse returns. It returns nil when there is no such parameter.
func (r *Request) Param(name string) any {
	if r.route == nil {
		return nil
	}
	i := 0
	for _, seg := range r.route.pattern.segments {
		switch seg.kind {
		case segStatic, segLiteral:
			continue
		}
		if seg.name == name {
			switch {
			case seg.conv == nil || seg.conv.parse == nil:
				return r.value(i)
			case seg.conv.custom():
				return r.parsed[i]
			}
			x, _ := seg.conv.convert(r.value(i)) // int: cheap to redo
			return x
		}
		i++
	}
	return nil
}

// ParamInt returns the path parameter name as an int, and whether it is one.
// It suits "<int:id>" parameters, whose converter guarantees an int.
func (r *Request) ParamInt(name string) (int, bool) {
	n, ok := r.Param(name).(int)
	return n, ok
}

// Args returns the parsed query string (Microdot's request.args). Keys may
// have several values; Get returns the first. Decoding is lenient, as
// Microdot's: a malformed percent-escape is kept as it was sent ("%%" stays
// "%%") rather than losing its field; only pairs holding ';' are dropped, as
// [url.ParseQuery] drops them.
func (r *Request) Args() url.Values {
	if r.args == nil {
		r.args = parseQuery(r.URL.RawQuery)
	}
	return r.args
}

// Scheme returns "https" when the request came over TLS and "http"
// otherwise (Microdot's request.scheme). It does not trust
// X-Forwarded-Proto: behind a proxy that terminates TLS, read that header
// from the proxy you trust.
func (r *Request) Scheme() string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// FormValues parses a urlencoded or multipart form body and returns its
// fields (not the query's; see Args), whatever the method: a form sent with
// GET is read too. Urlencoded fields are decoded as leniently as Args. The
// result is kept, so later calls return it again. A body of another type is
// an *HTTPError 415, a malformed one 400, an oversized one 413, so that a
// handler can return the error as it is. For uploads, the formdata package
// streams files instead of holding them.
func (r *Request) FormValues() (url.Values, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/x-www-form-urlencoded":
		if r.PostForm != nil {
			return r.PostForm, nil
		}
		var data []byte
		if r.Body != nil {
			var err error
			if data, err = io.ReadAll(r.Body); err != nil {
				return nil, bodyError(err, "unreadable form body")
			}
		}
		r.PostForm = parseQuery(string(data))
	case "multipart/form-data":
		mem := r.e.maxBody
		if mem < 0 {
			mem = 32 << 20
		}
		if err := r.ParseMultipartForm(mem); err != nil {
			return nil, bodyError(err, "malformed multipart form body")
		}
	default:
		return nil, &HTTPError{Status: http.StatusUnsupportedMediaType, Reason: "expected a form body (application/x-www-form-urlencoded or multipart/form-data)"}
	}
	return r.PostForm, nil
}

// DecodeJSON decodes a JSON body into v. The body must be declared as JSON
// (application/json or a +json type), hold one JSON value and fit the body
// limit; otherwise the error is an *HTTPError (415, 400 or 413) that a handler
// can return as it is, with a reason that says what is wrong. The body is
// read once and kept: a second call (a hook's, then the handler's) decodes
// it again, as Microdot's request.json can be read twice.
func (r *Request) DecodeJSON(v any) error {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" && !strings.HasSuffix(mt, "+json") {
		return &HTTPError{Status: http.StatusUnsupportedMediaType, Reason: "expected a JSON body (Content-Type: application/json)"}
	}
	if r.jsonBody == nil {
		// Read once and kept, so that a hook and the handler can both
		// decode the body (Microdot caches request.json).
		if r.Body == nil {
			return &HTTPError{Status: http.StatusBadRequest, Reason: "missing JSON body"}
		}
		data, err := io.ReadAll(r.Body)
		if err != nil {
			return bodyError(err, "unreadable JSON body: "+err.Error())
		}
		r.jsonBody = data[:len(data):len(data)]
	}
	dec := json.NewDecoder(bytes.NewReader(r.jsonBody))
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return &HTTPError{Status: http.StatusBadRequest, Reason: "empty JSON body", Err: err}
		}
		return bodyError(err, "malformed JSON body: "+err.Error())
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return bodyError(err, "the body holds more than one JSON value")
	}
	return nil
}

func bodyError(err error, reason string) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return &HTTPError{Status: http.StatusRequestEntityTooLarge,
			Reason: fmt.Sprintf("request body larger than %d bytes", mb.Limit), Err: err}
	}
	return &HTTPError{Status: http.StatusBadRequest, Reason: reason, Err: err}
}

// Set stores v under key in the request's scratch space (Microdot's
// request.g), typically from a BeforeRequest hook for the handler to read.
func (r *Request) Set(key string, v any) {
	if r.g == nil {
		r.g = make(map[string]any)
	}
	r.g[key] = v
}

// maxKeptScratch is the largest scratch map that a pooled request keeps.
const maxKeptScratch = 32

// Get returns the value stored under key with Set, and whether there is one.
func (r *Request) Get(key string) (any, bool) {
	v, ok := r.g[key]
	return v, ok
}

// bodyReader marks errors from reading the request body, other than io.EOF
// and the body limit's, as the client's fault: a truncated or malformed body
// that a handler returns becomes a 400, not a 500.
type bodyReader struct{ io.ReadCloser }

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		var mb *http.MaxBytesError
		if !errors.As(err, &mb) {
			err = &BodyError{Err: err}
		}
	}
	return n, err
}

// BodyError is the error of a request body that could not be read: the
// client sent a malformed or truncated body, or went away while sending it.
// Returned by a handler, it becomes a 400.
type BodyError struct {
	Err error // the error the body's Read returned
}

// Error says that the body could not be read, and why.
func (e *BodyError) Error() string { return "reading the request body: " + e.Err.Error() }

// Unwrap returns the read error.
func (e *BodyError) Unwrap() error { return e.Err }
