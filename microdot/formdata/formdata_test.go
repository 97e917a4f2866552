package formdata_test

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/formdata"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const ctype = "multipart/form-data; boundary=boundary"

func quietApp() *microdot.App {
	app := microdot.New()
	app.Logger = slog.New(slog.DiscardHandler)
	return app
}

// describe answers the form's fields and files as sorted "name=value" and
// "name=filename|type|content" lines.
func describe(form *formdata.Form) (string, error) {
	var lines []string
	for name, values := range form.Values {
		for _, v := range values {
			lines = append(lines, name+"="+v)
		}
	}
	for name, files := range form.Files {
		for _, f := range files {
			data, err := io.ReadAll(f)
			if err != nil {
				return "", err
			}
			lines = append(lines, fmt.Sprintf("%s=%s|%s|%s", name, f.Filename, f.ContentType, data))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n"), nil
}

func formApp(lim formdata.Limits) *microdot.App {
	app := quietApp()
	app.Route("/", formdata.Handler(lim, func(req *microdot.Request, form *formdata.Form) (*microdot.Response, error) {
		s, err := describe(form)
		if err != nil {
			return nil, err
		}
		return microdot.Text(s), nil
	}), "GET", "POST")
	return app
}

// Microdot's tests/test_multipart.py, ported.
func TestParseMicrodotCases(t *testing.T) {
	tests := []struct {
		name string
		lim  formdata.Limits
		body string
		want string
	}{
		{"simple form", formdata.Limits{},
			"--boundary\r\nContent-Disposition: form-data; name=\"foo\"\r\n\r\nbar\r\n" +
				"--boundary\r\nContent-Disposition: form-data; name=\"baz\"\r\n\r\nbaz\r\n--boundary--\r\n",
			"baz=baz\nfoo=bar"},
		{"form with files, past the memory budget", formdata.Limits{MaxMemory: 12},
			"--boundary\r\nContent-Disposition: form-data; name=\"foo\"\r\n\r\nbar\r\n" +
				"--boundary\r\nContent-Disposition: form-data; name=\"f\"; filename=\"f\"\r\nContent-Type: text/plain\r\n\r\nbaz\r\n" +
				"--boundary\r\nContent-Disposition: form-data; name=\"g\"; filename=\"g\"\r\nContent-Type: text/html\r\n\r\n<p>hello</p>\r\n" +
				"--boundary\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\ny\r\n--boundary--\r\n",
			"f=f|text/plain|baz\nfoo=bar\ng=g|text/html|<p>hello</p>\nx=y"},
		{"large file upload", formdata.Limits{MaxMemory: 200},
			"--boundary\r\nContent-Disposition: form-data; name=\"f\"; filename=\"f\"\r\nContent-Type: text/plain\r\n\r\n" +
				strings.Repeat("*", 398) + "\r\n--boundary--\r\n",
			"f=f|text/plain|" + strings.Repeat("*", 398)},
		{"repeated fields", formdata.Limits{},
			"--boundary\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\n1\r\n" +
				"--boundary\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\n2\r\n--boundary--\r\n",
			"t=1\nt=2"},
		{"empty form", formdata.Limits{}, "--boundary--\r\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmp := t.TempDir()
			tt.lim.TempDir = tmp
			res := microdot.NewTestClient(formApp(tt.lim)).Post("/", tt.body, "Content-Type", ctype)
			require.Equal(t, 200, res.StatusCode, res.Text())
			assert.Equal(t, tt.want, res.Text())
			left, err := os.ReadDir(tmp)
			require.NoError(t, err)
			assert.Empty(t, left, "temporary files are removed")
		})
	}
}

func TestParseSpillsToTempFile(t *testing.T) {
	tmp := t.TempDir()
	app := quietApp()
	var spilled []os.DirEntry
	app.Post("/", formdata.Handler(formdata.Limits{MaxMemory: 10, TempDir: tmp}, func(req *microdot.Request, form *formdata.Form) (*microdot.Response, error) {
		spilled, _ = os.ReadDir(tmp)
		return microdot.Text(fmt.Sprint(form.File("f").Size())), nil
	}))
	body := "--boundary\r\nContent-Disposition: form-data; name=\"f\"; filename=\"f\"\r\n\r\n" +
		strings.Repeat("x", 100) + "\r\n--boundary--\r\n"
	res := microdot.NewTestClient(app).Post("/", body, "Content-Type", ctype)
	require.Equal(t, 200, res.StatusCode, res.Text())
	assert.Equal(t, "100", res.Text())
	assert.Len(t, spilled, 1, "a file past MaxMemory is in a temporary file")
	left, _ := os.ReadDir(tmp)
	assert.Empty(t, left)
}

// Microdot's test_upload_iterator: each file is read in part, then Next
// skips the rest.
func TestReaderIterates(t *testing.T) {
	app := quietApp()
	app.Post("/", func(req *microdot.Request) (*microdot.Response, error) {
		r, err := formdata.NewReader(req, formdata.Limits{})
		if err != nil {
			return nil, err
		}
		var out []string
		for {
			p, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, err
			}
			if p.File == nil {
				out = append(out, p.Name+"="+p.Value)
				continue
			}
			buf := make([]byte, 4)
			n, _ := io.ReadFull(p.File, buf)
			out = append(out, fmt.Sprintf("%s=%s|%s|%s", p.Name, p.File.Filename, p.File.ContentType, buf[:n]))
		}
		return microdot.Text(strings.Join(out, "\n")), nil
	})
	body := "--boundary\r\nContent-Disposition: form-data; name=\"foo\"\r\n\r\nbar\r\n" +
		"--boundary\r\nContent-Disposition: form-data; name=\"f\"; filename=\"f\"\r\nContent-Type: text/plain\r\n\r\nbaz\r\n" +
		"--boundary\r\nContent-Disposition: form-data; name=\"g\"; filename=\"g.h\"\r\nContent-Type: text/html\r\n\r\n<p>hello</p>\r\n" +
		"--boundary\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\ny\r\n" +
		"--boundary\r\nContent-Disposition: form-data; name=\"h\"; filename=\"hh\"\r\nContent-Type: text/plain\r\n\r\nyy" + strings.Repeat("z", 500) + "\r\n" +
		"--boundary\r\nContent-Disposition: form-data; name=\"i\"; filename=\"i.1\"\r\nContent-Type: text/plain\r\n\r\n1234\r\n--boundary--\r\n"
	res := microdot.NewTestClient(app).Post("/", body, "Content-Type", ctype)
	require.Equal(t, 200, res.StatusCode, res.Text())
	assert.Equal(t, "foo=bar\nf=f|text/plain|baz\ng=g.h|text/html|<p>h\nx=y\nh=hh|text/plain|yyzz\ni=i.1|text/plain|1234", res.Text())
}

func TestBadForms(t *testing.T) {
	part := func(name, value string) string {
		return "--boundary\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n"
	}
	file := func(name, filename, value string) string {
		return "--boundary\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\"" + filename + "\"\r\n\r\n" + value + "\r\n"
	}
	const end = "--boundary--\r\n"
	tests := []struct {
		name   string
		ctype  string
		lim    formdata.Limits
		body   string
		status int
		reason string
	}{
		{"not multipart", "application/json", formdata.Limits{}, `{"a":1}`, 415, "multipart/form-data"},
		{"no content type", "", formdata.Limits{}, "", 415, "multipart/form-data"},
		{"missing boundary", "multipart/form-data", formdata.Limits{}, part("a", "1") + end, 400, "boundary"},
		{"boundary too long", "multipart/form-data; boundary=" + strings.Repeat("b", 71), formdata.Limits{}, "", 400, "boundary"},
		{"no boundary in the body", ctype, formdata.Limits{}, "just some text", 400, "multipart"},
		{"truncated", ctype, formdata.Limits{}, part("a", "1") + "--boundary\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\nabc", 400, ""},
		{"empty body", ctype, formdata.Limits{}, "", 400, ""},
		{"NUL in a file name", ctype, formdata.Limits{}, file("f", "a\x00b", "x") + end, 400, "malformed"},
		{"part without a name", ctype, formdata.Limits{}, "--boundary\r\nContent-Type: text/plain\r\n\r\nx\r\n" + end, 400, "name"},
		{"too many parts", ctype, formdata.Limits{MaxParts: 3}, strings.Repeat(part("a", "1"), 4) + end, 413, "more than 3 parts"},
		{"huge part header", ctype, formdata.Limits{MaxHeaderBytes: 1024},
			"--boundary\r\nContent-Disposition: form-data; name=\"a\"\r\nX-Pad: " + strings.Repeat("p", 64<<10) + "\r\n\r\nx\r\n" + end, 413, "header larger than 1024 bytes"},
		{"many header lines", ctype, formdata.Limits{},
			"--boundary\r\nContent-Disposition: form-data; name=\"a\"\r\n" + strings.Repeat("X-A: b\r\n", 20000) + "\r\nx\r\n" + end, 413, "header larger than"},
		{"field too large", ctype, formdata.Limits{MaxFieldBytes: 10}, part("big", strings.Repeat("x", 11)) + end, 413, `field "big" larger than 10 bytes`},
		{"field at the limit", ctype, formdata.Limits{MaxFieldBytes: 10}, part("big", strings.Repeat("x", 10)) + end, 200, ""},
		{"fields past the memory", ctype, formdata.Limits{MaxMemory: 16}, part("a", strings.Repeat("x", 10)) + part("b", strings.Repeat("x", 10)) + end, 413, "in all"},
		{"file too large", ctype, formdata.Limits{MaxFileBytes: 5}, file("f", "f.txt", "123456") + end, 413, `file "f" larger than 5 bytes`},
		{"file at the limit", ctype, formdata.Limits{MaxFileBytes: 5}, file("f", "f.txt", "12345") + end, 200, ""},
		{"body past the App's limit", ctype, formdata.Limits{}, file("f", "f.txt", strings.Repeat("x", 2<<10)) + end, 413, "request body larger than 1024 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := formApp(tt.lim)
			app.MaxBodyBytes = 1 << 10
			if tt.name != "body past the App's limit" {
				app.MaxBodyBytes = 1 << 20
			}
			var header []string
			if tt.ctype != "" {
				header = []string{"Content-Type", tt.ctype}
			}
			// A reader of unknown length, as a chunked body: the App
			// cannot refuse it from its Content-Length.
			res := microdot.NewTestClient(app).Post("/", io.MultiReader(strings.NewReader(tt.body)), header...)
			assert.Equal(t, tt.status, res.StatusCode, res.Text())
			assert.Contains(t, res.Text(), tt.reason)
		})
	}
}

func TestNextAfterError(t *testing.T) {
	app := quietApp()
	app.Post("/", func(req *microdot.Request) (*microdot.Response, error) {
		r, err := formdata.NewReader(req, formdata.Limits{MaxParts: 1})
		if err != nil {
			return nil, err
		}
		_, err1 := r.Next()
		_, err2 := r.Next()
		_, err3 := r.Next()
		return microdot.Text(fmt.Sprint(err1 == nil, err2 != nil && err2 == err3)), nil
	})
	body := strings.Repeat("--boundary\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n", 3) + "--boundary--\r\n"
	assert.Equal(t, "true true", microdot.NewTestClient(app).Post("/", body, "Content-Type", ctype).Text())
}

func TestSafeName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"photo.jpg", "photo.jpg"},
		{"../../etc/passwd", "passwd"},
		{`C:\x`, "x"},
		{`..\..\windows\system.ini`, "system.ini"},
		{"C:x", "C_x"},
		{"a\x00b.txt", "ab.txt"},
		{"a\nb\r.txt", "ab.txt"},
		{"..", "upload"},
		{".", "upload"},
		{"", "upload"},
		{"/", "upload"},
		{".bashrc", "bashrc"},
		{"name. . ", "name"},
		{"CON", "_CON"},
		{"nul.txt", "_nul.txt"},
		{"com1.log", "_com1.log"},
		{"COM10", "COM10"},
		{"what?<>|*\".txt", "what______.txt"},
		{"caf\xe9.txt", "caf_.txt"},
		{"résumé.pdf", "résumé.pdf"},
		{strings.Repeat("é", 200), strings.Repeat("é", 127)},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, formdata.SafeName(tt.in), "%q", tt.in)
	}
}

func TestSaveIn(t *testing.T) {
	names := []string{"../../escape.txt", `..\..\escape2.txt`, "/etc/passwd", "C:\\x.txt", "..", "ok.txt"}
	parent := t.TempDir()
	dir := filepath.Join(parent, "uploads")
	require.NoError(t, os.Mkdir(dir, 0o755))
	// A symbolic link in dir that leads outside is not followed.
	require.NoError(t, os.Symlink(filepath.Join(parent, "outside.txt"), filepath.Join(dir, "link.txt")))
	names = append(names, "link.txt")

	app := quietApp()
	app.Post("/", formdata.Handler(formdata.Limits{}, func(req *microdot.Request, form *formdata.Form) (*microdot.Response, error) {
		var saved []string
		for _, f := range form.Files["f"] {
			name, err := f.SaveIn(dir)
			if err != nil {
				saved = append(saved, "refused")
				continue
			}
			saved = append(saved, name)
		}
		return microdot.Text(strings.Join(saved, ",")), nil
	}))
	var body strings.Builder
	for _, n := range names {
		quoted := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(n)
		fmt.Fprintf(&body, "--boundary\r\nContent-Disposition: form-data; name=\"f\"; filename=\"%s\"\r\n\r\ncontent of %s\r\n", quoted, n)
	}
	body.WriteString("--boundary--\r\n")
	res := microdot.NewTestClient(app).Post("/", body.String(), "Content-Type", ctype)
	require.Equal(t, 200, res.StatusCode, res.Text())
	assert.Equal(t, "escape.txt,escape2.txt,passwd,x.txt,upload,ok.txt,refused", res.Text())
	entries, err := os.ReadDir(parent)
	require.NoError(t, err)
	require.Len(t, entries, 1, "nothing written outside the upload directory")
	data, err := os.ReadFile(filepath.Join(dir, "ok.txt"))
	require.NoError(t, err)
	assert.Equal(t, "content of ok.txt", string(data))
}

func TestSave(t *testing.T) {
	path := filepath.Join(t.TempDir(), "_x.txt")
	app := quietApp()
	app.Post("/", formdata.Handler(formdata.Limits{}, func(req *microdot.Request, form *formdata.Form) (*microdot.Response, error) {
		return nil, form.File("f").Save(path)
	}))
	body := "--boundary\r\nContent-Disposition: form-data; name=\"foo\"\r\n\r\nbar\r\n" +
		"--boundary\r\nContent-Disposition: form-data; name=\"f\"; filename=\"f\"\r\nContent-Type: text/plain\r\n\r\nbaz\r\n--boundary--\r\n"
	res := microdot.NewTestClient(app).Post("/", body, "Content-Type", ctype)
	require.Equal(t, 204, res.StatusCode, res.Text())
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "baz", string(data))
}

// FuzzReader sends arbitrary bodies to a form handler with small limits:
// the answer is a 200 or a clean 4xx, never a panic or a 500.
func FuzzReader(f *testing.F) {
	f.Add("--boundary\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--boundary--\r\n")
	f.Add("--boundary\r\nContent-Disposition: form-data; name=\"f\"; filename=\"../x\"\r\nContent-Type: text/plain\r\n\r\nabc\r\n--boundary--\r\n")
	f.Add("--boundary\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n")
	f.Add("preamble\r\n--boundary\r\n\r\n\r\n--boundary--")
	f.Add("--boundary\r\nContent-Disposition: form-data; name=\"a\"; filename*=UTF-8''%e2%82%ac\r\n\r\nx\r\n--boundary--\r\n")
	f.Add("--boundary\r\nContent-Transfer-Encoding: quoted-printable\r\nContent-Disposition: form-data; name=\"q\"\r\n\r\n=41=\r\n--boundary--\r\n")
	tmp := f.TempDir()
	app := quietApp()
	app.Post("/", formdata.Handler(formdata.Limits{MaxParts: 5, MaxHeaderBytes: 256, MaxFieldBytes: 64, MaxFileBytes: 128, MaxMemory: 96, TempDir: tmp},
		func(req *microdot.Request, form *formdata.Form) (*microdot.Response, error) {
			for _, fs := range form.Files {
				for _, file := range fs {
					if _, err := io.Copy(io.Discard, file); err != nil {
						return nil, err
					}
					_ = formdata.SafeName(file.Filename)
				}
			}
			return microdot.Text("ok"), nil
		}))
	app.MaxBodyBytes = 4 << 10
	c := microdot.NewTestClient(app)
	f.Fuzz(func(t *testing.T, body string) {
		res := c.Post("/", body, "Content-Type", ctype)
		if res.StatusCode != 200 && (res.StatusCode < 400 || res.StatusCode > 499) {
			t.Fatalf("status %d: %s", res.StatusCode, res.Text())
		}
	})
}

// FuzzSafeName checks that a safe name is a single, non-empty path element.
func FuzzSafeName(f *testing.F) {
	for _, s := range []string{"a.txt", "../../etc/passwd", `C:\x`, "a\x00b", "..", "CON.txt", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		s := formdata.SafeName(name)
		if s == "" || s == "." || s == ".." || strings.ContainsAny(s, "/\\\x00") || len(s) > 255 || filepath.Base(s) != s || !filepath.IsLocal(s) {
			t.Fatalf("SafeName(%q) = %q", name, s)
		}
	})
}
