package microdot

import (
	"errors"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// deleted is the expiry date of deleted cookies.
var deleted = time.Unix(1, 0)

// fileBody is an opened file, ready to send.
type fileBody struct {
	f    fs.File
	name string
	mod  time.Time
	size int64
}

// openFile opens the file of a File or StaticFiles response so that a missing
// file is a 404 through the error handlers, not a failure halfway.
func (r *Request) openFile(res *Response) error {
	if _, ok := res.value.(*fileBody); ok {
		return nil
	}
	var f fs.File
	var err error
	if root, ok := res.value.(*os.Root); ok {
		f, err = root.Open(res.text)
	} else {
		f, err = os.Open(res.text)
	}
	if err != nil {
		return fileError(err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fileError(err)
	}
	if st.IsDir() || !st.Mode().IsRegular() {
		f.Close()
		return &HTTPError{Status: http.StatusNotFound}
	}
	if r.closer != nil {
		r.closer.Close()
	}
	r.closer = f
	res.value = &fileBody{f: f, name: st.Name(), mod: st.ModTime(), size: st.Size()}
	return nil
}

func fileError(err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &HTTPError{Status: http.StatusNotFound, Err: err}
	case errors.Is(err, fs.ErrPermission):
		return &HTTPError{Status: http.StatusForbidden, Err: err}
	}
	// os.Root refuses paths that escape it with an error of its own.
	return &HTTPError{Status: http.StatusNotFound, Err: err}
}

func (e *engine) sendFile(req *Request, res *Response, status int) {
	fb := res.value.(*fileBody)
	h := res.Header
	if h["Content-Type"] == nil {
		ct := mime.TypeByExtension(path.Ext(fb.name))
		if ct == "" {
			ct = "application/octet-stream"
		}
		h.Set("Content-Type", ct)
	}
	req.started = true
	if rs, ok := fb.f.(io.ReadSeeker); ok && status == http.StatusOK {
		// ServeContent answers HEAD, Range and conditional requests.
		http.ServeContent(req.w, req.Request, fb.name, fb.mod, rs)
		return
	}
	req.w.WriteHeader(status)
	if req.Method != http.MethodHead && bodyAllowed(status) {
		io.Copy(req.w, fb.f)
	}
}

// StaticFiles returns a handler that serves the files under dir, named by the
// last parameter of its route:
//
//	app.Get("/static/<path:path>", microdot.StaticFiles("./public"))
//	app.Get("/assets/*file", microdot.StaticFiles("./assets"))
//
// The requested name cannot escape dir: ".." elements, absolute names and
// symbolic links that lead outside dir are refused with 404 (the files are
// opened through an [os.Root]). Directories are not listed; a directory's
// index.html is served in its place. dir must exist; StaticFiles panics if it
// cannot be opened.
func StaticFiles(dir string) Handler {
	root, err := os.OpenRoot(dir)
	if err != nil {
		panic("microdot: StaticFiles: " + err.Error())
	}
	return func(req *Request) (*Response, error) {
		name := ""
		if n := len(req.route.pattern.names); n > 0 {
			name = strings.TrimPrefix(req.value(n-1), "/")
		}
		// "dir/" names a directory: its index.html is served.
		dirOnly := strings.HasSuffix(name, "/")
		name = strings.TrimSuffix(name, "/")
		if name == "" {
			name = "."
		}
		if strings.ContainsRune(name, 0) || strings.Contains(name, "\\") || !fs.ValidPath(name) {
			return nil, &HTTPError{Status: http.StatusNotFound}
		}
		st, err := root.Stat(name)
		switch {
		case err == nil && st.IsDir() && !dirOnly && name != ".":
			// As http.FileServer does: a directory's URL ends in '/', so
			// that relative links in its index.html resolve inside it.
			// Relative, as http.FileServer's: right also behind a stripped prefix.
			return Redirect(path.Base(req.URL.EscapedPath())+"/"+query(req.URL.RawQuery), http.StatusMovedPermanently), nil
		case err == nil && st.IsDir():
			name = filepath.ToSlash(path.Join(name, "index.html"))
		case dirOnly:
			return nil, &HTTPError{Status: http.StatusNotFound}
		}
		return &Response{StatusCode: http.StatusOK, kind: bodyFile, text: name, value: root}, nil
	}
}

func query(raw string) string {
	if raw == "" {
		return ""
	}
	return "?" + raw
}
