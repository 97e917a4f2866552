package microdot_test

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/cors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const appJS = "console.log('hello');\n"

// gzipped returns s compressed with gzip.
func gzipped(t testing.TB, s string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, err := zw.Write([]byte(s))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return b.Bytes()
}

// assetDir returns a directory with app.js and its .gz sibling, style.css
// alone, and data.bin.
func assetDir(t *testing.T) string {
	dir := t.TempDir()
	for name, data := range map[string][]byte{
		"app.js":    []byte(appJS),
		"app.js.gz": gzipped(t, appJS),
		"style.css": []byte("body{}"),
		"data.bin":  {1, 2, 3},
		"only.gz":   gzipped(t, "only compressed"),
	} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
	}
	return dir
}

func TestSendFile(t *testing.T) {
	dir := assetDir(t)
	js := filepath.Join(dir, "app.js")
	tests := []struct {
		name     string
		res      *microdot.Response
		accept   string
		ctype    string
		encoding string
		cache    string
		vary     string
		body     []byte
	}{
		{"plain", microdot.SendFile(js, microdot.FileOptions{}), "gzip",
			"text/javascript; charset=utf-8", "", "", "", []byte(appJS)},
		{"a .gz file without options is a gzip file", microdot.File(js + ".gz"), "gzip",
			"application/gzip", "", "", "", gzipped(t, appJS)},
		{"compressed", microdot.SendFile(js+".gz", microdot.FileOptions{Compressed: true, MaxAge: 3600}), "gzip, br",
			"text/javascript; charset=utf-8", "gzip", "max-age=3600", "Accept-Encoding", gzipped(t, appJS)},
		{"file extension", microdot.SendFile(js, microdot.FileOptions{Compressed: true, FileExtension: ".gz"}), "*",
			"text/javascript; charset=utf-8", "gzip", "", "Accept-Encoding", gzipped(t, appJS)},
		{"decompressed for a client without gzip", microdot.SendFile(js+".gz", microdot.FileOptions{Compressed: true}), "br",
			"text/javascript; charset=utf-8", "", "", "Accept-Encoding", []byte(appJS)},
		{"gzip refused by weight", microdot.SendFile(js+".gz", microdot.FileOptions{Compressed: true}), "*, gzip;q=0",
			"text/javascript; charset=utf-8", "", "", "Accept-Encoding", []byte(appJS)},
		{"content type and max-age=0", microdot.SendFile(js, microdot.FileOptions{ContentType: "text/plain", MaxAge: -1}), "",
			"text/plain", "", "max-age=0", "", []byte(appJS)},
		{"default content type", microdot.SendFile(filepath.Join(dir, "data.bin"), microdot.FileOptions{}), "",
			microdot.DefaultFileContentType, "", "", "", []byte{1, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := quietApp()
			app.Get("/", func(*microdot.Request) (*microdot.Response, error) { return tt.res, nil })
			res := microdot.NewTestClient(app).Get("/", "Accept-Encoding", tt.accept)
			require.Equal(t, 200, res.StatusCode, res.Text())
			assert.Equal(t, tt.ctype, res.Header.Get("Content-Type"))
			assert.Equal(t, tt.encoding, res.Header.Get("Content-Encoding"))
			assert.Equal(t, tt.cache, res.Header.Get("Cache-Control"))
			assert.Equal(t, tt.vary, res.Header.Get("Vary"))
			assert.Equal(t, tt.body, res.Body)
		})
	}
}

func TestSendFileNotGzip(t *testing.T) {
	dir := assetDir(t)
	app := quietApp()
	app.Get("/", func(*microdot.Request) (*microdot.Response, error) {
		return microdot.SendFile(filepath.Join(dir, "style.css"), microdot.FileOptions{Compressed: true}), nil
	})
	res := microdot.NewTestClient(app).Get("/")
	assert.Equal(t, 500, res.StatusCode)
	assert.Empty(t, res.Header.Get("Content-Encoding"))
}

func TestStaticFilesGzipSibling(t *testing.T) {
	dir := assetDir(t)
	app := quietApp()
	app.Get("/static/<path:path>", microdot.StaticFiles(dir))
	c := microdot.NewTestClient(app)
	tests := []struct {
		path, accept, encoding, vary, ctype string
		body                                []byte
	}{
		{"/static/app.js", "gzip, deflate", "gzip", "Accept-Encoding", "text/javascript; charset=utf-8", gzipped(t, appJS)},
		{"/static/app.js", "GZIP;q=0.5", "gzip", "Accept-Encoding", "text/javascript; charset=utf-8", gzipped(t, appJS)},
		{"/static/app.js", "", "", "Accept-Encoding", "text/javascript; charset=utf-8", []byte(appJS)},
		{"/static/app.js", "gzip;q=0", "", "Accept-Encoding", "text/javascript; charset=utf-8", []byte(appJS)},
		{"/static/app.js", "gzip;q=0.000", "", "Accept-Encoding", "text/javascript; charset=utf-8", []byte(appJS)},
		{"/static/app.js", "x-gzip;q=0.001", "gzip", "Accept-Encoding", "text/javascript; charset=utf-8", gzipped(t, appJS)},
		{"/static/style.css", "gzip", "", "", "text/css; charset=utf-8", []byte("body{}")},
		{"/static/app.js.gz", "gzip", "", "", "application/gzip", gzipped(t, appJS)},
		{"/static/only.gz", "gzip", "", "", "application/gzip", gzipped(t, "only compressed")},
	}
	for _, tt := range tests {
		res := c.Get(tt.path, "Accept-Encoding", tt.accept)
		require.Equal(t, 200, res.StatusCode, tt.path)
		assert.Equal(t, tt.encoding, res.Header.Get("Content-Encoding"), "%s %q", tt.path, tt.accept)
		assert.Equal(t, tt.vary, res.Header.Get("Vary"), "%s %q", tt.path, tt.accept)
		assert.Equal(t, tt.ctype, res.Header.Get("Content-Type"), "%s %q", tt.path, tt.accept)
		assert.Equal(t, tt.body, res.Body, "%s %q", tt.path, tt.accept)
	}
	// HEAD and Range apply to the compressed representation.
	res := c.Request("GET", "/static/app.js", nil, "Accept-Encoding", "gzip", "Range", "bytes=0-1")
	assert.Equal(t, 206, res.StatusCode)
	assert.Equal(t, gzipped(t, appJS)[:2], res.Body)
}

func TestStaticFilesVaryWithCORS(t *testing.T) {
	dir := assetDir(t)
	app := quietApp()
	_, err := cors.New(app, cors.Config{AllowedOrigins: []string{"https://dash.example"}})
	require.NoError(t, err)
	app.Get("/static/<path:path>", microdot.StaticFiles(dir))
	c := microdot.NewTestClient(app)
	for _, origin := range []string{"https://dash.example", "https://other.example"} {
		res := c.Get("/static/app.js", "Accept-Encoding", "gzip", "Origin", origin)
		require.Equal(t, 200, res.StatusCode)
		assert.Equal(t, "gzip", res.Header.Get("Content-Encoding"))
		vary := res.Header.Values("Vary")
		assert.Contains(t, vary, "Accept-Encoding", origin)
		assert.Contains(t, vary, "Origin", origin)
	}
}

// FuzzAcceptEncoding sends arbitrary Accept-Encoding headers for a file with
// a .gz sibling: the answer is always the file, compressed or not, never a
// failure.
func FuzzAcceptEncoding(f *testing.F) {
	for _, s := range []string{"", "gzip", "gzip;q=0", "*;q=0, gzip", "x-gzip;q=0.5", ";;,,q=", "gzip;q=0.0000", "br;q=1, *;q=0"} {
		f.Add(s)
	}
	dir := f.TempDir()
	require.NoError(f, os.WriteFile(filepath.Join(dir, "a.txt"), []byte("hello"), 0o644))
	require.NoError(f, os.WriteFile(filepath.Join(dir, "a.txt.gz"), gzipped(f, "hello"), 0o644))
	app := quietApp()
	app.Get("/<path:p>", microdot.StaticFiles(dir))
	c := microdot.NewTestClient(app)
	f.Fuzz(func(t *testing.T, accept string) {
		res := c.Get("/a.txt", "Accept-Encoding", accept)
		if res.StatusCode != 200 {
			t.Fatalf("%q: status %d", accept, res.StatusCode)
		}
		switch res.Header.Get("Content-Encoding") {
		case "gzip":
			zr, err := gzip.NewReader(bytes.NewReader(res.Body))
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			b.ReadFrom(zr)
			if b.String() != "hello" {
				t.Fatalf("%q: %q", accept, b.String())
			}
		case "":
			if string(res.Body) != "hello" {
				t.Fatalf("%q: %q", accept, res.Body)
			}
		default:
			t.Fatalf("%q: Content-Encoding %q", accept, res.Header.Get("Content-Encoding"))
		}
	})
}
