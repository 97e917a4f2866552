package microdot

import (
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
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
		h.Set("Content-Type", typeByName(fb.name))
	}
	if h.Get("Content-Encoding") == "gzip" && !acceptsGzip(req.Header) {
		e.sendGunzipped(req, fb, h, status)
		return
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

// sendGunzipped sends a gzip-compressed file decompressed, to a client that
// does not accept gzip.
func (e *engine) sendGunzipped(req *Request, fb *fileBody, h http.Header, status int) {
	zr, err := gzip.NewReader(fb.f)
	if err != nil {
		e.app.logger().LogAttrs(req.Context(), slog.LevelError, "microdot: compressed file is not gzip",
			slog.String("file", fb.name), slog.String("error", err.Error()))
		req.plain500()
		return
	}
	defer zr.Close()
	h.Del("Content-Encoding")
	h.Del("Content-Length")
	req.started = true
	req.w.WriteHeader(status)
	if req.Method != http.MethodHead && bodyAllowed(status) {
		io.Copy(req.w, zr)
	}
}

// DefaultFileContentType is the content type of a file whose extension
// names none.
const DefaultFileContentType = "application/octet-stream"

// typeByName is the content type of a file named name, from its extension.
func typeByName(name string) string {
	if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
		return ct
	}
	return DefaultFileContentType
}

// FileOptions are SendFile's options: the arguments of Microdot's
// send_file. The zero value sends the file as File does.
type FileOptions struct {
	// ContentType is the Content-Type to send. Empty: the one that the
	// file's extension names (without ".gz" when Compressed), else
	// DefaultFileContentType.
	ContentType string
	// MaxAge is the Cache-Control max-age, in seconds. 0 sends no
	// Cache-Control; -1 sends max-age=0.
	MaxAge int
	// Compressed says that the file holds gzip-compressed content (or
	// content in Encoding): it is sent with that Content-Encoding and
	// Vary: Accept-Encoding. A client that does not accept gzip gets the
	// content decompressed.
	Compressed bool
	// Encoding is the Content-Encoding of a Compressed file: "gzip" when
	// empty. Files in other encodings are sent as they are to every client.
	Encoding string
	// FileExtension is appended to the path when opening the file (".gz",
	// say), and plays no part in the content type.
	FileExtension string
}

// SendFile returns a response that sends the file at path with opt, as
// Microdot's send_file does (see FileOptions); File(path) is SendFile with
// no options. A ".gz" asset is served as what it holds:
//
//	microdot.SendFile("static/app.js.gz", microdot.FileOptions{Compressed: true, MaxAge: 3600})
//	microdot.SendFile("static/app.js", microdot.FileOptions{Compressed: true, FileExtension: ".gz"})
//
// both send the compressed bytes as text/javascript with Content-Encoding:
// gzip. The path is used as given, as File's.
func SendFile(path string, opt FileOptions) *Response {
	res := File(path + opt.FileExtension)
	ct := opt.ContentType
	if ct == "" {
		name := path
		if opt.Compressed {
			name = strings.TrimSuffix(name, ".gz")
		}
		ct = typeByName(name)
	}
	res.SetHeader("Content-Type", ct)
	switch {
	case opt.MaxAge > 0:
		res.SetHeader("Cache-Control", "max-age="+strconv.Itoa(opt.MaxAge))
	case opt.MaxAge < 0:
		res.SetHeader("Cache-Control", "max-age=0")
	}
	if opt.Compressed {
		enc := opt.Encoding
		if enc == "" {
			enc = "gzip"
		}
		res.SetHeader("Content-Encoding", enc)
		res.SetHeader("Vary", "Accept-Encoding")
	}
	return res
}

// acceptsGzip reports whether a request with header h accepts a
// gzip-encoded response (RFC 9110 section 12.5.3): gzip, x-gzip or "*" with
// a non-zero weight; an explicit gzip weight wins over "*".
func acceptsGzip(h http.Header) bool {
	gzip, star := -1, -1 // -1: not listed; 0: refused; 1: accepted
	for _, v := range h.Values("Accept-Encoding") {
		for elem := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(elem, ";")
			coding = strings.TrimSpace(coding)
			ok := 1
			if zeroWeight(params) {
				ok = 0
			}
			switch {
			case strings.EqualFold(coding, "gzip"), strings.EqualFold(coding, "x-gzip"):
				gzip = max(gzip, ok)
			case coding == "*":
				star = max(star, ok)
			}
		}
	}
	if gzip >= 0 {
		return gzip == 1
	}
	return star == 1
}

// zeroWeight reports whether the parameters of an Accept-Encoding element
// hold q=0 (also written 0.0, 0.00 or 0.000).
func zeroWeight(params string) bool {
	for p := range strings.SplitSeq(params, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(p), "=")
		if !strings.EqualFold(name, "q") {
			continue
		}
		value = strings.TrimSpace(value)
		if rest, ok := strings.CutPrefix(value, "0"); ok && len(rest) <= 4 && strings.Trim(strings.TrimPrefix(rest, "."), "0") == "" {
			return true
		}
	}
	return false
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
//
// A file with a pre-compressed sibling (app.js beside app.js.gz) is served
// from the sibling, with Content-Encoding: gzip and the content type of
// app.js, to clients that accept gzip; both answers carry
// Vary: Accept-Encoding, which the CORS extension merges with its own.
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
		res := &Response{StatusCode: http.StatusOK, kind: bodyFile, text: name, value: root}
		if gz, err := root.Stat(name + ".gz"); err == nil && gz.Mode().IsRegular() {
			res.SetHeader("Vary", "Accept-Encoding")
			if acceptsGzip(req.Header) {
				res.text = name + ".gz"
				res.SetHeader("Content-Type", typeByName(name))
				res.SetHeader("Content-Encoding", "gzip")
			}
		}
		return res, nil
	}
}

func query(raw string) string {
	if raw == "" {
		return ""
	}
	return "?" + raw
}
