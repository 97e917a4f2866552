package microdot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Response is what a Handler returns: a status, headers and a body that is
// written once the hooks have run. Build one with a constructor (Text, JSON,
// HTML, Bytes, File, Redirect, Stream) and adjust it with the With* methods or
// the fields. Header is never nil in a Response that a constructor returns,
// and already holds the Content-Type that the constructor chose:
//
//	res := microdot.Text("saved")
//	res.Header.Set("Cache-Control", "no-store")
//
// A Response belongs to the request that returns it, as an *http.Request
// belongs to its handler: AfterRequest hooks may change it in place, so build
// a new one for each request rather than sharing one. The App itself only
// reads it, and it does not change after the request ends: a hook or a
// goroutine may keep it.
type Response struct {
	StatusCode int         // the status to send; 0 means 200, or 204 without a body
	Header     http.Header // the headers to send; never nil in a constructed Response

	kind bodyKind
	// text is the body of bodyText and bodyHTML, and the path of bodyFile.
	text string
	// value is bodyBytes's []byte, bodyJSON's value, bodyStream's function,
	// bodyHandler's handler, bodyFile's *os.Root (or nil), and
	// bodyInvalid's error.
	value any
}

type bodyKind uint8

const (
	bodyNone bodyKind = iota
	bodyText          // text/plain
	bodyHTML          // text/html
	bodyBytes
	bodyJSON
	bodyStream
	bodyFile
	bodyHandler
	bodyInvalid // a constructor refused its arguments; value is the error
)

// invalid marks r as refused by its constructor: sending it fails with err.
func (r *Response) invalid(err error) *Response {
	r.kind, r.value = bodyInvalid, err
	return r
}

// The content types of the constructors that fix one.
const (
	textPlain = "text/plain; charset=utf-8"
	textHTML  = "text/html; charset=utf-8"
	appJSON   = "application/json"
)

// newResponse returns a Response of the given kind whose Header holds
// Content-Type: contentType, or no header when contentType is "".
func newResponse(kind bodyKind, contentType string) *Response {
	if contentType == "" {
		return &Response{StatusCode: http.StatusOK, Header: http.Header{}, kind: kind}
	}
	// The response and its Content-Type value in one allocation. The value
	// slice is capped: an Add appends to a copy.
	r := &struct {
		res Response
		ct  [1]string
	}{res: Response{StatusCode: http.StatusOK, Header: http.Header{}, kind: kind}, ct: [1]string{contentType}}
	r.res.Header["Content-Type"] = r.ct[:1:1]
	return &r.res
}

// Text returns a 200 response with body as text/plain; charset=utf-8.
func Text(body string) *Response {
	res := newResponse(bodyText, textPlain)
	res.text = body
	return res
}

// HTML returns a 200 response with body as text/html; charset=utf-8.
func HTML(body string) *Response {
	res := newResponse(bodyHTML, textHTML)
	res.text = body
	return res
}

// JSON returns a 200 response with v encoded as JSON (application/json). The
// encoding happens when the handler returns; a value that cannot be encoded
// becomes a 500, through the error handlers.
func JSON(v any) *Response {
	res := newResponse(bodyJSON, appJSON)
	res.value = v
	return res
}

// Bytes returns a 200 response with body as its content, of the given
// content type (application/octet-stream when empty).
func Bytes(contentType string, body []byte) *Response {
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	res := newResponse(bodyBytes, contentType)
	res.value = body
	return res
}

// Redirect returns a redirect to location, with status 302 Found or the given
// 3xx status. A location with CR, LF or other control characters, or a status
// that is not a redirect, is refused: the client gets a 500 and the reason is
// logged, instead of a header injection.
func Redirect(location string, status ...int) *Response {
	code := http.StatusFound
	if len(status) > 0 {
		code = status[0]
	}
	res := newResponse(bodyNone, "")
	res.StatusCode = code
	switch {
	case code < 300 || code > 399:
		return res.invalid(fmt.Errorf("microdot: redirect status %d is not a 3xx status", code))
	case location == "" || strings.ContainsFunc(location, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return res.invalid(fmt.Errorf("microdot: redirect location %q is empty or contains control characters", location))
	}
	res.Header.Set("Location", location)
	return res
}

// Stream returns a 200 response whose body produce writes while the response
// is being sent, such as server-sent events or an MJPEG
// multipart/x-mixed-replace stream. Every Write to w is flushed to the client
// at once, so write whole chunks. ctx is cancelled when the client goes away
// or the server shuts down; produce must then return (a Write fails too).
// An error from produce is logged; the status was already sent.
func Stream(contentType string, produce func(ctx context.Context, w io.Writer) error) *Response {
	res := newResponse(bodyStream, contentType)
	res.value = produce
	if produce == nil {
		return res.invalid(errors.New("microdot: Stream needs a non-nil produce function"))
	}
	return res
}

// File returns a response that sends the file at path, with its content type
// from the extension, Last-Modified, and support for Range and conditional
// requests. A missing file or a directory is a 404, an unreadable file a 403.
// The path is used as given: to serve files named by the client, use
// [StaticFiles], which cannot escape its root. A ".gz" file is sent as what
// it is, application/gzip; [SendFile] with Compressed sends it as what it
// holds.
func File(path string) *Response {
	res := newResponse(bodyFile, "")
	res.text = path
	return res
}

// WithStatus sets the status code and returns r, for chaining:
// microdot.JSON(item).WithStatus(201).
func (r *Response) WithStatus(code int) *Response {
	r.StatusCode = code
	return r
}

// SetHeader sets a response header and returns r, for chaining. It creates
// the Header map of a Response that was built without a constructor.
func (r *Response) SetHeader(key, value string) *Response {
	if r.Header == nil {
		r.Header = make(http.Header)
	}
	r.Header.Set(key, value)
	return r
}

// AddHeader adds a value to a response header and returns r, for chaining.
// It creates the Header map of a Response that was built without a
// constructor.
func (r *Response) AddHeader(key, value string) *Response {
	if r.Header == nil {
		r.Header = make(http.Header)
	}
	r.Header.Add(key, value)
	return r
}

// SetCookie adds a Set-Cookie header for c. It refuses, with an error that
// names the problem, a cookie that net/http would silently alter: an invalid
// name, a value with ';', CR, LF or other bytes not allowed in a cookie, or an
// invalid path or domain.
func (r *Response) SetCookie(c *http.Cookie) error {
	if c == nil {
		return errors.New("microdot: SetCookie: nil cookie")
	}
	if err := c.Valid(); err != nil {
		return fmt.Errorf("microdot: cookie %q: %w", c.Name, err)
	}
	for _, s := range []string{c.Value, c.Path, c.Domain} {
		if strings.ContainsAny(s, ";\r\n") {
			return fmt.Errorf("microdot: cookie %q: value, path and domain must not contain ';', CR or LF", c.Name)
		}
	}
	r.AddHeader("Set-Cookie", c.String())
	return nil
}

// DeleteCookie tells the client to drop the cookie named name for path (""
// means the current path), by sending it expired. To send other attributes
// with it (HttpOnly, Secure, SameSite, Domain), use ExpireCookie.
func (r *Response) DeleteCookie(name, path string) error {
	return r.ExpireCookie(&http.Cookie{Name: name, Path: path})
}

// ExpireCookie tells the client to drop the cookie c names, by sending it
// expired with c's attributes (Path, Domain, Secure, HttpOnly, SameSite,
// Partitioned): Microdot's delete_cookie with keyword arguments. c's Value,
// Expires and MaxAge are ignored; c itself is not changed.
func (r *Response) ExpireCookie(c *http.Cookie) error {
	if c == nil {
		return errors.New("microdot: ExpireCookie: nil cookie")
	}
	expired := *c
	expired.Value, expired.MaxAge, expired.Expires, expired.RawExpires = "", -1, deleted, ""
	return r.SetCookie(&expired)
}

// prepare makes res the response of the request: a nil res is an empty 204,
// a refused one is its constructor's error, a JSON body is encoded and a file
// opened, so that what can fail fails before anything is sent and goes
// through the error handlers. res itself is not changed, but for a nil
// Header, which a hook must find usable.
func (r *Request) prepare(res *Response) (*Response, error) {
	switch {
	case res == nil:
		return r.blank(http.StatusNoContent), nil
	case res == r.prepared:
		return res, nil // a hook returned the response it was given
	case res.kind == bodyInvalid:
		return nil, res.value.(error)
	}
	r.body, r.file = nil, nil
	switch res.kind {
	case bodyBytes:
		r.body, _ = res.value.([]byte)
	case bodyJSON:
		b, err := json.Marshal(res.value)
		if err != nil {
			return nil, fmt.Errorf("microdot: JSON response: %w", err)
		}
		r.body = b
	case bodyFile:
		opened := *res
		if err := r.openFile(&opened); err != nil {
			return nil, err
		}
		r.file = &opened
	}
	if res.Header == nil {
		res.Header = http.Header{}
	}
	r.prepared = res
	return res, nil
}

// blank returns a new empty response with the given status.
func (r *Request) blank(status int) *Response {
	return &Response{StatusCode: status, Header: http.Header{}}
}

// write sends res, the prepared response of req. It is the last step of
// every request.
func (e *engine) write(req *Request, c *chain, res *Response) {
	if f, ok := res.value.(takeover); ok {
		e.takeover(req, c, res, f) // see takeover.go
		return
	}
	sw := req.writer()
	e.send(req, sw, res)
}

func (e *engine) send(req *Request, sw *stallWriter, res *Response) {
	h := sw.Header()
	copyHeader(h, res.Header)
	status := res.StatusCode
	if status == 0 {
		status = http.StatusOK
	}
	head := req.Method == http.MethodHead
	switch res.kind {
	case bodyNone:
		if res.StatusCode == 0 {
			status = http.StatusNoContent
		}
		req.started = true
		sw.WriteHeader(status)
	case bodyText, bodyHTML, bodyBytes, bodyJSON:
		n := len(res.text)
		if res.kind == bodyBytes || res.kind == bodyJSON {
			n = len(req.body)
		}
		// net/http sets the Content-Length of a body it holds whole when
		// the handler returns; a larger one, or a HEAD response, needs it
		// set here.
		if bodyAllowed(status) && (head || n > smallBody) {
			h.Set("Content-Length", strconv.Itoa(n))
		}
		req.started = true
		sw.WriteHeader(status)
		if head || !bodyAllowed(status) {
			return
		}
		if res.kind == bodyBytes || res.kind == bodyJSON {
			sw.Write(req.body)
		} else {
			sw.WriteString(res.text)
		}
	case bodyStream:
		h.Del("Content-Length")
		req.started = true
		sw.WriteHeader(status)
		if head || !bodyAllowed(status) {
			return
		}
		e.stream(req, res.value.(func(context.Context, io.Writer) error))
	case bodyFile:
		f := *req.file
		f.Header = h
		e.sendFile(req, &f, status)
	case bodyHandler:
		req.started = true
		res.value.(http.Handler).ServeHTTP(sw, req.Request)
	}
}

// copyHeader adds the fields of src to dst. The values are capped, so that
// an Add to dst cannot write into the backing arrays of src. Most responses
// carry only their Content-Type, which is copied without walking the map.
func copyHeader(dst, src http.Header) {
	if ct, ok := src["Content-Type"]; ok && len(src) == 1 {
		dst["Content-Type"] = ct[:len(ct):len(ct)]
		return
	}
	for k, v := range src {
		dst[k] = v[:len(v):len(v)]
	}
}

// smallBody is the largest body whose Content-Length net/http works out by
// itself (its buffer before chunking).
const smallBody = 2048

func bodyAllowed(status int) bool {
	return !(status >= 100 && status <= 199) && status != http.StatusNoContent && status != http.StatusNotModified
}

// plain500 writes a bare 500 when nothing else can be sent: when the error
// path itself failed. It carries no header of the response it replaces.
func (r *Request) plain500() {
	if r.started {
		return
	}
	r.started = true
	sw := r.writer()
	h := sw.Header()
	clear(h)
	body := http.StatusText(http.StatusInternalServerError)
	h.Set("Content-Type", textPlain)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	sw.WriteHeader(http.StatusInternalServerError)
	sw.WriteString(body)
}
