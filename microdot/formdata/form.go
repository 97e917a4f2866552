package formdata

import (
	"errors"
	"fmt"
	"io"
	"net/url"

	"github.com/microdot-go/microdot/microdot"
)

// Form is a parsed form: Microdot's request.form and request.files.
type Form struct {
	Values url.Values         // the fields that are not files
	Files  map[string][]*File // the files, by field name, copied (see File.Copy)
}

// File returns the first file of the field name, or nil.
func (f *Form) File(name string) *File {
	if fs := f.Files[name]; len(fs) > 0 {
		return fs[0]
	}
	return nil
}

// RemoveAll removes the temporary files of the form's files.
func (f *Form) RemoveAll() error {
	var errs []error
	for _, fs := range f.Files {
		for _, file := range fs {
			errs = append(errs, file.Close())
		}
	}
	return errors.Join(errs...)
}

// Parse reads the whole multipart/form-data body of req (Microdot's
// with_form_data): fields go to Values, files are copied into memory while
// they fit in lim.MaxMemory, together with the fields, and into temporary
// files past it. Call RemoveAll when done, or use Handler, which does. The
// errors are those of NewReader and Reader.Next, and a 413 when the fields
// alone exceed lim.MaxMemory.
func Parse(req *microdot.Request, lim Limits) (*Form, error) {
	r, err := NewReader(req, lim)
	if err != nil {
		return nil, err
	}
	form := &Form{Values: url.Values{}, Files: map[string][]*File{}}
	for {
		p, err := r.Next()
		if err == io.EOF {
			return form, nil
		}
		if err == nil {
			err = form.add(r, p)
		}
		if err != nil {
			form.RemoveAll()
			return nil, err
		}
	}
}

func (f *Form) add(r *Reader, p *Part) error {
	if p.File == nil {
		r.memory += int64(len(p.Name) + len(p.Value))
		if r.memory > r.lim.MaxMemory {
			return tooLarge(fmt.Sprintf("form fields larger than %d bytes in all", r.lim.MaxMemory))
		}
		f.Values[p.Name] = append(f.Values[p.Name], p.Value)
		return nil
	}
	// Reading errors are already HTTP errors; a temporary file that
	// cannot be written is the server's (500).
	if err := p.File.Copy(); err != nil {
		return err
	}
	f.Files[p.Name] = append(f.Files[p.Name], p.File)
	return nil
}

// Handler returns a handler that parses the form of each request with lim,
// as Parse does, and calls f with it; the form's temporary files are
// removed when f returns. A form that cannot be parsed is answered with
// Parse's error (400, 413 or 415) and f is not called.
func Handler(lim Limits, f func(req *microdot.Request, form *Form) (*microdot.Response, error)) microdot.Handler {
	return func(req *microdot.Request) (*microdot.Response, error) {
		form, err := Parse(req, lim)
		if err != nil {
			return nil, err
		}
		defer form.RemoveAll()
		return f(req, form)
	}
}
