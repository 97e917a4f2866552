package formdata

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/microdot-go/microdot/microdot"
)

// Reader streams the parts of a multipart/form-data body, one at a time
// (Microdot's FormDataIter). It is not safe for concurrent use.
type Reader struct {
	lim    Limits
	mr     *multipart.Reader
	body   *budgetReader
	part   *multipart.Part
	parts  int
	memory int64 // what Parse holds in memory so far
	err    error // the error that ended the reading, returned again
}

// Part is one part of a form: a field, with its value, or a file.
type Part struct {
	Name  string // the field name (the form-data name parameter)
	Value string // the value of a field; "" for a file
	File  *File  // the file, or nil for a field; valid until the next call of Next
}

// NewReader returns a Reader of req's body, which must be
// multipart/form-data with a boundary: otherwise the error is an
// *microdot.HTTPError 415 or 400.
func NewReader(req *microdot.Request, lim Limits) (*Reader, error) {
	mt, params, err := mime.ParseMediaType(req.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return nil, &microdot.HTTPError{Status: http.StatusUnsupportedMediaType,
			Reason: "expected a multipart/form-data body"}
	}
	boundary := params["boundary"]
	if boundary == "" || len(boundary) > 70 {
		return nil, &microdot.HTTPError{Status: http.StatusBadRequest,
			Reason: "multipart/form-data needs a boundary parameter of 1 to 70 characters"}
	}
	body := io.Reader(http.NoBody)
	if req.Body != nil {
		body = req.Body
	}
	r := &Reader{lim: lim.withDefaults(), body: &budgetReader{r: body, budget: -1}}
	r.mr = multipart.NewReader(r.body, boundary)
	return r, nil
}

// Next returns the next part of the form, or io.EOF after the last one.
// A file part that was not read to its end is skipped. Any other error is
// an *microdot.HTTPError (413 past a limit, 400 for a malformed body) and
// ends the reading: later calls return it again.
func (r *Reader) Next() (*Part, error) {
	if r.err != nil {
		return nil, r.err
	}
	p, err := r.next()
	if err != nil {
		r.err = err
	}
	return p, err
}

func (r *Reader) next() (*Part, error) {
	if r.part != nil {
		// Skip what is left of the current part, so that the header
		// budget below covers the next header alone.
		_, err := io.Copy(io.Discard, r.part)
		r.part = nil
		if err != nil {
			return nil, r.bodyError(err)
		}
	}
	// The multipart reader buffers 4 KiB ahead, hence the slack.
	r.body.budget = int64(r.lim.MaxHeaderBytes) + 8<<10
	p, err := r.mr.NextPart()
	r.body.budget = -1
	switch {
	case r.body.exceeded:
		return nil, tooLarge(fmt.Sprintf("multipart part header larger than %d bytes", r.lim.MaxHeaderBytes))
	case err == io.EOF:
		return nil, io.EOF
	case err != nil:
		return nil, r.bodyError(err)
	}
	r.parts++
	if r.lim.MaxParts > 0 && r.parts > r.lim.MaxParts {
		return nil, tooLarge(fmt.Sprintf("multipart form with more than %d parts", r.lim.MaxParts))
	}
	r.part = p
	name := p.FormName()
	if name == "" {
		return nil, &microdot.HTTPError{Status: http.StatusBadRequest,
			Reason: `multipart part without a Content-Disposition: form-data; name="..." header`}
	}
	if p.FileName() == "" {
		value, err := r.field(name, p)
		if err != nil {
			return nil, err
		}
		return &Part{Name: name, Value: value}, nil
	}
	fr := &fileReader{r: r, p: p, name: name}
	f := &File{
		Filename:    p.FileName(),
		ContentType: p.Header.Get("Content-Type"),
		Header:      p.Header,
		r:           r,
		part:        fr,
		src:         fr,
	}
	return &Part{Name: name, File: f}, nil
}

// field reads the value of a field that is not a file.
func (r *Reader) field(name string, p *multipart.Part) (string, error) {
	src := io.Reader(p)
	if r.lim.MaxFieldBytes > 0 {
		src = io.LimitReader(p, r.lim.MaxFieldBytes+1)
	}
	var b strings.Builder
	n, err := io.Copy(&b, src)
	if err != nil {
		return "", r.bodyError(err)
	}
	if r.lim.MaxFieldBytes > 0 && n > r.lim.MaxFieldBytes {
		return "", tooLarge(fmt.Sprintf("form field %q larger than %d bytes", name, r.lim.MaxFieldBytes))
	}
	return b.String(), nil
}

// bodyError turns an error from reading the body into an *microdot.HTTPError.
func (r *Reader) bodyError(err error) error {
	var he *microdot.HTTPError
	var mb *http.MaxBytesError
	switch {
	case errors.As(err, &he):
		return he
	case errors.As(err, &mb):
		return tooLarge(fmt.Sprintf("request body larger than %d bytes", mb.Limit))
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return &microdot.HTTPError{Status: http.StatusBadRequest, Reason: "multipart body ends before its closing boundary", Err: err}
	}
	return &microdot.HTTPError{Status: http.StatusBadRequest, Reason: "malformed multipart body: " + err.Error(), Err: err}
}

func tooLarge(reason string) error {
	return &microdot.HTTPError{Status: http.StatusRequestEntityTooLarge, Reason: reason}
}

// budgetReader fails once more than budget bytes have been read, while
// budget is not negative.
type budgetReader struct {
	r        io.Reader
	budget   int64
	exceeded bool
}

var errBudget = errors.New("formdata: part header too large")

func (b *budgetReader) Read(p []byte) (int, error) {
	if b.budget < 0 {
		return b.r.Read(p)
	}
	if b.budget == 0 {
		b.exceeded = true
		return 0, errBudget
	}
	if int64(len(p)) > b.budget {
		p = p[:b.budget]
	}
	n, err := b.r.Read(p)
	b.budget -= int64(n)
	return n, err
}

// fileReader reads the current file part, within MaxFileBytes.
type fileReader struct {
	r    *Reader
	p    *multipart.Part
	name string
	n    int64
}

func (f *fileReader) Read(p []byte) (int, error) {
	if f.r.part != f.p {
		return 0, errors.New("formdata: file read after Next moved to another part")
	}
	max := f.r.lim.MaxFileBytes
	if max > 0 && int64(len(p)) > max-f.n+1 {
		p = p[:max-f.n+1]
	}
	n, err := f.p.Read(p)
	f.n += int64(n)
	if max > 0 && f.n > max {
		return 0, tooLarge(fmt.Sprintf("file %q larger than %d bytes", f.name, max))
	}
	if err != nil && err != io.EOF {
		err = f.r.bodyError(err)
	}
	return n, err
}
