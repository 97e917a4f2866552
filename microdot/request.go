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
	"reflect"
	"strings"

	"github.com/julienschmidt/httprouter"
)

// Request is the request a Handler answers: the standard *http.Request
// (Method, URL, Header, Body, Context, Cookie ... are the usual ones) plus the
// matched route's parameters, parsed query arguments, body decoding, a
// scratch space for hooks, and per-request after hooks.
//
// Each request has a Request of its own, which does not change after the
// request ends: a goroutine, a log buffer or a test may keep it and read its
// fields, parameters and scratch values later. (The request's body and
// response writer are done with by then, as in net/http.)
type Request struct {
	*http.Request

	w        http.ResponseWriter
	e        *engine
	route    *route
	ps       httprouter.Params // the values of a plain route, straight from httprouter
	vals     []string          // the values of other routes, in the order of route.pattern.names
	parsed   []any             // what converters made of vals (kept for custom ones)
	args     url.Values
	g        map[string]any
	after    []AfterFunc
	closer   io.Closer // a file being sent
	prepared *Response // the response being built (see prepare)
	body     []byte    // the body of the prepared response, when it is bytes or JSON
	file     *Response // the prepared response, with its file opened, when it sends one
	sw       stallWriter
	jsonBody []byte // the request body that DecodeJSON read, for the next call

	path    pathInfo // where the path is in the tree; see lookupPath
	started bool     // the response status has been written
	erring  bool     // the error response is being sent (see finishError)
}

func (e *engine) acquire(w http.ResponseWriter, r *http.Request) *Request {
	req := &Request{Request: r, w: w, e: e}
	if e.maxParams > 0 {
		req.vals = make([]string, e.maxParams)
		req.parsed = make([]any, e.maxParams)
	}
	// ContentLength is 0 exactly when there is no body (-1 when its length is
	// unknown).
	if r.ContentLength != 0 && r.Body != nil {
		body := r.Body
		if e.maxBody >= 0 {
			body = http.MaxBytesReader(w, body, e.maxBody)
		}
		r.Body = &bodyReader{body}
	}
	// The writer notes when the request came in, for a handler that takes
	// its time under a server's WriteTimeout.
	req.writer()
	return req
}

// release ends the request: the file being sent is closed, and the values
// of a plain route, which httprouter reuses for later requests, are copied,
// so that a Request kept after its request still has them.
func (e *engine) release(req *Request) {
	if req.closer != nil {
		req.closer.Close()
		req.closer = nil
	}
	if len(req.ps) > 0 {
		vals := req.vals
		if len(vals) < len(req.ps) {
			vals = make([]string, len(req.ps))
		}
		for i, p := range req.ps {
			vals[i] = p.Value
		}
		req.vals, req.ps = vals, nil
	}
	req.prepared, req.body, req.file = nil, nil, nil
	req.path.leave()
}

// writer returns the request's response writer, bounded against a client
// that stops reading (see App.WriteStallTimeout).
func (r *Request) writer() *stallWriter {
	if r.sw.ResponseWriter == nil {
		r.sw.init(r.e.app, r.w, r.Request)
		r.w = &r.sw
	}
	return &r.sw
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
// percent-escapes, or "" when the route has no such parameter. The App sets
// the same values on the embedded *http.Request, for code that reads them
// with [http.Request.PathValue].
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
		return bodyError(err, jsonReason(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return bodyError(err, "the body holds more than one JSON value")
	}
	return nil
}

// jsonReason says in JSON's terms what is wrong with a body that could not
// be decoded: the field and the types for a value of the wrong type, the
// syntax error otherwise.
func jsonReason(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		want := jsonType(te.Type)
		if te.Field == "" {
			return fmt.Sprintf("malformed JSON body: expected %s, got %s", want, article(te.Value))
		}
		return fmt.Sprintf("field %q: expected %s, got %s", te.Field, want, article(te.Value))
	}
	return "malformed JSON body: " + strings.TrimPrefix(err.Error(), "json: ")
}

// jsonType names the JSON type that decodes into a value of type t.
func jsonType(t reflect.Type) string {
	if t == nil {
		return "another value"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Pointer:
		return jsonType(t.Elem())
	}
	return "another value"
}

// article turns the JSON type that encoding/json reports ("number",
// "string", "object", "array", "bool", or "number 1.5" for a number that
// does not fit) into "a number", "an object" ...
func article(jsonValue string) string {
	name, _, _ := strings.Cut(jsonValue, " ")
	switch name {
	case "bool":
		return "a boolean"
	case "object", "array":
		return "an " + name
	case "":
		return "another value"
	}
	if name == "number" && jsonValue != name {
		return "the number " + strings.TrimPrefix(jsonValue, "number ")
	}
	return "a " + name
}

func bodyError(err error, reason string) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return tooLarge(mb.Limit, err)
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
