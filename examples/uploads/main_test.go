package main

import (
	"bytes"
	"io"
	"log/slog"
	"mime/multipart"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/microdot-go/microdot/microdot"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPages(t *testing.T) {
	c := microdot.NewTestClient(newApp(t.TempDir(), slog.New(slog.DiscardHandler)))
	for path, want := range map[string]string{"/": `enctype="multipart/form-data"`, "/simple": "fetch('/upload'"} {
		res := c.Get(path)
		require.Equal(t, 200, res.StatusCode, path)
		assert.Contains(t, res.Text(), want, path)
	}
}

func TestFormData(t *testing.T) {
	var log strings.Builder
	c := microdot.NewTestClient(newApp(t.TempDir(), slog.New(slog.NewTextHandler(&log, nil))))
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("name", "Ada")
	mw.WriteField("age", "36")
	fw, err := mw.CreateFormFile("file", "notes.txt")
	require.NoError(t, err)
	io.WriteString(fw, "hello")
	require.NoError(t, mw.Close())

	res := c.Post("/", body.Bytes(), "Content-Type", mw.FormDataContentType())
	require.Equal(t, 200, res.StatusCode, res.Text())
	assert.Equal(t, "We have received your data!", res.Text())
	assert.Contains(t, log.String(), "field=name value=Ada")
	assert.Contains(t, log.String(), "field=age value=36")
	assert.Contains(t, log.String(), "filename=notes.txt content=hello")

	res = c.Post("/", "name=Ada", "Content-Type", "application/x-www-form-urlencoded")
	assert.Equal(t, 415, res.StatusCode)
}

func TestSimpleUpload(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "files")
	require.NoError(t, os.Mkdir(dir, 0o755))
	c := microdot.NewTestClient(newApp(dir, slog.New(slog.DiscardHandler)))
	tests := []struct {
		disposition string
		status      int
		saved       string
	}{
		{`attachment; filename="photo.jpg"`, 200, "photo.jpg"},
		{`attachment; filename="..%2F..%2Fescape.txt"`, 200, "escape.txt"},
		{`attachment; filename="r%C3%A9sum%C3%A9.pdf"`, 200, "résumé.pdf"},
		{`attachment; filename="C:\\x\\evil.bat"`, 200, "evil.bat"},
		{`attachment`, 400, ""},
		{``, 400, ""},
	}
	for _, tt := range tests {
		res := c.Post("/upload", "file content", "Content-Type", "application/octet-stream", "Content-Disposition", tt.disposition)
		require.Equal(t, tt.status, res.StatusCode, "%s: %s", tt.disposition, res.Text())
		if tt.saved != "" {
			data, err := os.ReadFile(filepath.Join(dir, tt.saved))
			require.NoError(t, err, tt.disposition)
			assert.Equal(t, "file content", string(data))
		}
	}
	entries, err := os.ReadDir(parent)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "nothing saved outside the files directory")

	// Past the limit: 413, and no partial file.
	big := io.MultiReader(strings.NewReader(strings.Repeat("x", maxUpload+1)))
	res := c.Post("/upload", big, "Content-Disposition", `attachment; filename="big.bin"`)
	assert.Equal(t, 413, res.StatusCode)
	_, err = os.Stat(filepath.Join(dir, "big.bin"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}
