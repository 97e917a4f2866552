package microdot

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
)

// HTTPError is an error that carries an HTTP status. Handlers return one
// (usually through [Abort]) to answer with that status; error handlers
// registered for the status with [App.ErrorHandler] receive it.
type HTTPError struct {
	Status int    // an HTTP status code, 400 to 599
	Reason string // the response body; empty means the status text
	Err    error  // the cause, if any; not shown to the client
}

// Error returns the status and the reason.
func (e *HTTPError) Error() string {
	msg := fmt.Sprintf("%d %s", e.Status, e.reason())
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause, so that errors.Is and errors.As see through an HTTPError.
func (e *HTTPError) Unwrap() error { return e.Err }

func (e *HTTPError) reason() string {
	if e.Reason != "" {
		return e.Reason
	}
	if t := http.StatusText(e.Status); t != "" {
		return t
	}
	return fmt.Sprintf("%d error", e.Status)
}

// Abort returns an error that becomes a response with that status (and the reason as
// body, or the status text when no reason is given). A status outside 400-599
// is a programming error and becomes a 500.
func Abort(status int, reason ...string) error {
	e := &HTTPError{Status: status}
	if len(reason) > 0 {
		e.Reason = reason[0]
	}
	return e
}

// PanicError is the error that error handlers receive when a handler or hook
// panicked. The panic and its stack are logged; the client gets a 500.
type PanicError struct {
	Value any // what was passed to panic
}

// Error says that a panic happened and with what value.
func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// The errors of the requests that the App refuses itself. They carry their
// status text as the reason, so that an error handler can show it.
var (
	errNotFound         = &HTTPError{Status: http.StatusNotFound, Reason: http.StatusText(http.StatusNotFound)}
	errMethodNotAllowed = &HTTPError{Status: http.StatusMethodNotAllowed, Reason: http.StatusText(http.StatusMethodNotAllowed)}
	// errTooLarge marks a declared Content-Length over the limit; fail
	// replaces it with the 413 that states the limit.
	errTooLarge = &HTTPError{Status: http.StatusRequestEntityTooLarge}
)

// tooLarge is the 413 of a body over limit bytes.
func tooLarge(limit int64, err error) *HTTPError {
	return &HTTPError{Status: http.StatusRequestEntityTooLarge,
		Reason: fmt.Sprintf("request body larger than the limit of %d bytes", limit), Err: err}
}

// ErrorHandler turns an error into a response. It receives the error that a
// handler or hook returned (an *HTTPError for 404, 405, 413 and Abort, a
// *PanicError after a panic). If it fails in turn (an error, a nil response
// or a panic), the client gets a plain 500.
type ErrorHandler func(req *Request, err error) (*Response, error)

// ErrorHandler registers h for responses with the given status: 404 for
// unknown paths, 405, 413, the status of an Abort, and 500 for any other error
// that no type handler took. A sub-app's handler wins over its parent's for
// the sub-app's routes (see [App.MountLocal]).
func (a *App) ErrorHandler(status int, h ErrorHandler) {
	if status < 400 || status > 599 {
		panic(fmt.Sprintf("microdot: ErrorHandler: status %d is not an error status (400-599)", status))
	}
	a.register(func() {
		if a.byStatus == nil {
			a.byStatus = map[int]ErrorHandler{}
		}
		a.byStatus[status] = h
	}, h == nil, "ErrorHandler")
}

// typeHandler handles one error type.
type typeHandler struct {
	typ   reflect.Type
	match func(error) (ErrorHandler, bool) // matches one error, not its chain
}

// HandleError registers h for errors of type E (Microdot's
// errorhandler(ExceptionClass)). When an error reaches the error handlers, its
// chain is walked as errors.As does, and the handler of the first error in the
// chain that has a handler wins: the nearest match. Type handlers are tried
// before status handlers.
//
//	microdot.HandleError(app, func(req *microdot.Request, err *json.SyntaxError) (*microdot.Response, error) {
//		return microdot.Text("bad JSON").WithStatus(400), nil
//	})
func HandleError[E error](a *App, h func(req *Request, err E) (*Response, error)) {
	if h == nil {
		panic("microdot: HandleError needs a non-nil function")
	}
	th := typeHandler{
		typ: reflect.TypeFor[E](),
		match: func(err error) (ErrorHandler, bool) {
			var target E
			if x, ok := err.(E); ok {
				target = x
			} else if as, ok := err.(interface{ As(any) bool }); !ok || !as.As(&target) {
				return nil, false
			}
			return func(req *Request, _ error) (*Response, error) { return h(req, target) }, true
		},
	}
	a.register(func() { a.byType = append(a.byType, th) }, false, "HandleError")
}

// statusOf returns the status and reason for err.
func statusOf(err error) (int, string) {
	var he *HTTPError
	if errors.As(err, &he) {
		if he.Status < 400 || he.Status > 599 {
			return http.StatusInternalServerError, ""
		}
		return he.Status, he.reason()
	}
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return http.StatusRequestEntityTooLarge, tooLarge(mb.Limit, nil).Reason
	}
	var be *BodyError
	if errors.As(err, &be) {
		return http.StatusBadRequest, "malformed or incomplete request body"
	}
	return http.StatusInternalServerError, http.StatusText(http.StatusInternalServerError)
}

// errorResponse finds the error handler for err and calls it; it never panics.
func (e *engine) errorResponse(req *Request, c *chain, err error) *Response {
	status, reason := statusOf(err)
	if h := c.typeHandler(err); h != nil {
		return e.callErrorHandler(req, h, err)
	}
	for _, m := range c.byStatus {
		if h := m[status]; h != nil {
			return e.callErrorHandler(req, h, err)
		}
	}
	// Nothing handled the error: a 500 is a failure worth a log line
	// (panics were logged with their stack already).
	if _, isPanic := err.(*PanicError); status == http.StatusInternalServerError && !isPanic {
		e.log(req, "request failed", err)
	}
	if reason == "" {
		reason = http.StatusText(status)
	}
	return Text(reason).WithStatus(status)
}

func (e *engine) callErrorHandler(req *Request, h ErrorHandler, err error) (res *Response) {
	defer func() {
		if p := recover(); p != nil {
			e.logPanic(req, p)
			res = plainError(http.StatusInternalServerError)
		}
	}()
	res, herr := h(req, err)
	if herr != nil || res == nil {
		if herr == nil {
			herr = errors.New("error handler returned no response")
		}
		e.log(req, "error handler failed", herr)
		return plainError(http.StatusInternalServerError)
	}
	return res
}

func plainError(status int) *Response {
	return Text(http.StatusText(status)).WithStatus(status)
}

// typeHandler returns the handler for the nearest error in err's chain.
func (c *chain) typeHandler(err error) ErrorHandler {
	if len(c.byType) == 0 {
		return nil
	}
	empty := true
	for _, hs := range c.byType {
		if len(hs) > 0 {
			empty = false
		}
	}
	if empty {
		return nil
	}
	var found ErrorHandler
	walkErrors(err, func(x error) bool {
		// At one link of the chain, a handler for exactly its type beats
		// one for an interface it implements (a HandleError[error], say),
		// whatever the registration order; then sub-app before app.
		exact := reflect.TypeOf(x)
		for _, wantExact := range []bool{true, false} {
			for _, hs := range c.byType {
				for _, th := range hs {
					if (th.typ == exact) != wantExact {
						continue
					}
					if h, ok := th.match(x); ok {
						found = h
						return true
					}
				}
			}
		}
		return false
	})
	return found
}

// walkErrors visits err and its chain depth-first, as errors.As does, until
// visit returns true.
func walkErrors(err error, visit func(error) bool) bool {
	for err != nil {
		if visit(err) {
			return true
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				if walkErrors(x, visit) {
					return true
				}
			}
			return false
		default:
			return false
		}
	}
	return false
}
