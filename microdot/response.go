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
// the fields.
//
// Header is nil in a freshly built Response, so that a response costs one
// allocation of 64 bytes (Bytes adds a small one for its slice); use
// SetHeader or AddHeader in a handler, which create it. In
// AfterFunc hooks Header is always the live header map of the response.
//
// The App never changes a Response that a handler returns: it copies it into
// the request's own response first, which is what the hooks see. So a
// Response can be built once and returned by many requests, concurrently:
//
//	var pong = microdot.Text("pong")
//	app.Get("/ping", func(*microdot.Request) (*microdot.Response, error) { return pong, nil })
//
// The *Response a hook receives is valid until the request ends.
type Response struct {
	StatusCode int         // the status to send; 0 means 200, or 204 without a body
	Header     http.Header // headers to send with the response (see above)

	// The rest is kept to five words, so that the Response a handler
	// allocates for each request is 64 bytes: on a busy server the
	// garbage collector's cost grows with every byte allocated.
	kind bodyKind
	// text is the body of bodyText and bodyHTML, the path of bodyFile, and
	// the content type of bodyBytes and bodyStream.
	text string
	// value is bodyBytes's []byte, bodyJSON's value, bodyStream's function,
	// bodyHandler's handler, bodyFile's *os.Root or *fileBody, and
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

// contentType is the Content-Type that r's constructor chose, or "" when
// the App sets none (a File's comes from its name when it is sent).
func (r *Response) contentType() string {
	switch r.kind {
	case bodyText:
		return textPlain
	case bodyHTML:
		return textHTML
	case bodyJSON:
		return appJSON
	case bodyBytes, bodyStream:
		return r.text
	}
	return ""
}

// Text returns a 200 response with body as text/plain; charset=utf-8.
func Text(body string) *Response {
	return &Response{StatusCode: http.StatusOK, kind: bodyText, text: body}
}

// HTML returns a 200 response with body as text/html; charset=utf-8.
func HTML(body string) *Response {
	return &Response{StatusCode: http.StatusOK, kind: bodyHTML, text: body}
}

// JSON returns a 200 response with v encoded as JSON (application/json). The
// encoding happens when the handler returns; a value that cannot be encoded
// becomes a 500, through the error handlers.
func JSON(v any) *Response {
	return &Response{StatusCode: http.StatusOK, kind: bodyJSON, value: v}
}

// Bytes returns a 200 response with body as its content, of the given
// content type (application/octet-stream when empty).
func Bytes(contentType string, body []byte) *Response {
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	return &Response{StatusCode: http.StatusOK, kind: bodyBytes, text: contentType, value: body}
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
	res := &Response{StatusCode: code}
	switch {
	case code < 300 || code > 399:
		return res.invalid(fmt.Errorf("microdot: redirect status %d is not a 3xx status", code))
	case location == "" || strings.ContainsFunc(location, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return res.invalid(fmt.Errorf("microdot: redirect location %q is empty or contains control characters", location))
	}
	return res.SetHeader("Location", location)
}

// Stream returns a 200 response whose body produce writes while the response
// is being sent, such as server-sent events or an MJPEG
// multipart/x-mixed-replace stream. Every Write to w is flushed to the client
// at once, so write whole chunks. ctx is cancelled when the client goes away
// or the server shuts down; produce must then return (a Write fails too).
// An error from produce is logged; the status was already sent.
func Stream(contentType string, produce func(ctx context.Context, w io.Writer) error) *Response {
	res := &Response{StatusCode: http.StatusOK, kind: bodyStream, text: contentType, value: produce}
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
	return &Response{StatusCode: http.StatusOK, kind: bodyFile, text: path}
}

// WithStatus sets the status code and returns r, for chaining:
// microdot.JSON(item).WithStatus(201).
func (r *Response) WithStatus(code int) *Response {
	r.StatusCode = code
	return r
}

// SetHeader sets a response header, creating the Header map if needed, and
// returns r for chaining.
func (r *Response) SetHeader(key, value string) *Response {
	if r.Header == nil {
		r.Header = make(http.Header)
	}
	r.Header.Set(key, value)
	return r
}

// AddHeader adds a value to a response header, creating the Header map if
// needed, and returns r for chaining.
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

// adopt makes res the response being built: it is copied into the request's
// spare response, whose Header is the response writer's map with res's
// headers in it, and a JSON body is encoded. res itself is only read, so it
// may be shared by concurrent requests. A nil res is the empty 204.
func (r *Request) adopt(res *Response) (*Response, error) {
	sp := &r.spare
	switch {
	case res == nil:
		return r.blank(http.StatusNoContent), nil
	case res == sp:
		return sp, nil // a hook returned the response it was given
	case res.kind == bodyInvalid:
		return nil, res.value.(error)
	}
	// A replacement replaces the headers its predecessor brought, too
	// (those that hooks set on the live map stay).
	r.unadopt()
	// Work that can fail comes first, so that a failure leaves the live
	// headers as they were and the error response carries none of res's.
	// Field by field: a composite literal is built aside and copied whole,
	// which costs more than the rest of adopting a small response.
	sp.StatusCode, sp.Header, sp.kind, sp.text, sp.value = res.StatusCode, nil, res.kind, res.text, res.value
	switch sp.kind {
	case bodyBytes:
		r.body, _ = sp.value.([]byte)
	case bodyJSON:
		b, err := json.Marshal(sp.value)
		if err != nil {
			return nil, fmt.Errorf("microdot: JSON response: %w", err)
		}
		// Encoded once: a hook that returns this response again must
		// not encode it twice.
		r.body = b
		sp.kind, sp.text, sp.value = bodyBytes, appJSON, nil
	case bodyFile:
		if err := r.openFile(sp); err != nil {
			return nil, err
		}
	}
	h := r.w.Header()
	own := false           // the handler set Content-Type itself
	if res.Header != nil { // ranging over a nil map still costs an iterator
		_, own = res.Header["Content-Type"]
		for k, v := range res.Header {
			// Capped, so that a hook's Add on the live map cannot write
			// into the backing array of a shared Response's header.
			h[k] = v[:len(v):len(v)]
		}
	}
	// Set now, not when writing, so that after hooks see it.
	if ct := res.contentType(); ct != "" && !own {
		v := r.headerValue(ct)
		h["Content-Type"], r.adoptedCT = v, v
	}
	sp.Header = h
	r.adopted = res
	return sp, nil
}

// HeaderValues returns n empty strings, a slice of length and capacity n,
// for the values of response headers that a hook or an extension sets on
// every request (the CORS extension does):
//
//	v := req.HeaderValues(2)
//	v[0], v[1] = "nosniff", "DENY"
//	res.Header["X-Content-Type-Options"] = v[0:1:1]
//	res.Header["X-Frame-Options"] = v[1:2:2]
//
// The slices come from a slab of the request, so this costs no allocation
// per request, where each Header.Set allocates one. No two calls, for this
// request or any other, return overlapping slices: a handler that changes or
// appends to one header value cannot reach another response's (servers
// that put one package-level slice into every response share it, which is
// a data race waiting for a handler that writes to it). Keys must be in
// canonical form, as with any direct assignment to an http.Header. A
// negative n panics, as it would with make.
func (r *Request) HeaderValues(n int) []string {
	if uint(n) > slabSize/4 { // negative counts too
		if n < 0 {
			panic(errNegativeCount)
		}
		return make([]string, n)
	}
	if len(r.slab) < n {
		r.slab = make([]string, slabSize)
	}
	s := r.slab[:n:n]
	r.slab = r.slab[n:]
	return s
}

var errNegativeCount = errors.New("microdot: HeaderValues: the count must not be negative")

// headerValue returns a one-element header value holding v, from the
// request's slab (see HeaderValues).
func (r *Request) headerValue(v string) []string {
	s := r.HeaderValues(1)
	s[0] = v
	return s
}

// slabSize is the number of header values in a slab: 1 KiB, allocated once
// per 64 values (32 or more responses) of a pooled request.
const slabSize = 64

// blank returns the request's spare response, empty, with the given status
// and the live header map.
func (r *Request) blank(status int) *Response {
	r.unadopt()
	// Only the fields that an empty response reads: writing the whole
	// struct would cost more than the rest of a small request.
	sp := &r.spare
	sp.StatusCode, sp.Header, sp.kind = status, r.w.Header(), bodyNone
	return sp
}

// write sends res. It is the last step of every request.
func (e *engine) write(req *Request, c *chain, res *Response) {
	w := req.w
	h := res.Header
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
		w.WriteHeader(status)
	case bodyText, bodyHTML, bodyBytes:
		n := len(res.text)
		if res.kind == bodyBytes {
			n = len(req.body)
		}
		if head {
			h.Set("Content-Length", strconv.Itoa(n))
		}
		req.started = true
		w.WriteHeader(status)
		if head || !bodyAllowed(status) {
			return
		}
		if res.kind == bodyBytes {
			w.Write(req.body)
		} else {
			io.WriteString(w, res.text)
		}
	case bodyStream:
		h.Del("Content-Length")
		req.started = true
		w.WriteHeader(status)
		if head || !bodyAllowed(status) {
			return
		}
		e.stream(req, res.value.(func(context.Context, io.Writer) error))
	case bodyFile:
		e.sendFile(req, res, status)
	case bodyHandler:
		req.started = true
		res.value.(http.Handler).ServeHTTP(w, req.Request)
	}
}

func bodyAllowed(status int) bool {
	return !(status >= 100 && status <= 199) && status != http.StatusNoContent && status != http.StatusNotModified
}

// plain500 writes a bare 500 when nothing else can be sent.
func (r *Request) plain500() {
	if r.started {
		return
	}
	r.started = true
	h := r.w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Del("Content-Length")
	r.w.WriteHeader(http.StatusInternalServerError)
	io.WriteString(r.w, http.StatusText(http.StatusInternalServerError))
}

// unadopt removes from the live header map what the adopted response put
// there, before an error response replaces it: a failed response's headers
// (a Cache-Control, a Set-Cookie) must not reach the error response.
func (r *Request) unadopt() {
	if r.adopted != nil { // small enough to inline: most calls have nothing to do
		r.dropAdopted()
	}
}

func (r *Request) dropAdopted() {
	res := r.adopted
	r.adopted = nil
	h := r.w.Header()
	// Only values still as res brought them: a hook that changed one (a
	// Vary merged by the CORS extension, say) made it a new slice, and its
	// change stays.
	for k, orig := range res.Header {
		if v := h[k]; sameSlice(v, orig) {
			delete(h, k)
		}
	}
	if v := h["Content-Type"]; sameSlice(v, r.adoptedCT) {
		delete(h, "Content-Type")
	}
	r.adoptedCT = nil
}

func sameSlice(a, b []string) bool {
	return len(a) > 0 && len(a) == len(b) && &a[0] == &b[0]
}
