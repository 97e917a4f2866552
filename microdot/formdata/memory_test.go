package formdata_test

import (
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/formdata"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// heapWatcher is an io.Writer in front of the saved file that records the
// heap in use after every MiB that reaches it: the samples follow the
// upload's progress, whatever the machine's speed.
type heapWatcher struct {
	w       io.Writer
	written int64
	peak    uint64
}

func (h *heapWatcher) Write(p []byte) (int, error) {
	n, err := h.w.Write(p)
	if h.written>>20 != (h.written+int64(n))>>20 {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		h.peak = max(h.peak, ms.HeapInuse)
	}
	h.written += int64(n)
	return n, err
}

// TestUploadMemoryFlat streams a 16 MiB file through a loopback server into
// a file, with the body generated on the fly on the client side: the heap
// grows by a small fraction of the file. The reliability module does the
// same with 100 MiB.
func TestUploadMemoryFlat(t *testing.T) {
	const size = 16 << 20
	path := filepath.Join(t.TempDir(), "big.bin")
	var watch heapWatcher
	app := quietApp()
	app.MaxBodyBytes = -1
	app.Post("/upload", func(req *microdot.Request) (*microdot.Response, error) {
		r, err := formdata.NewReader(req, formdata.Limits{})
		if err != nil {
			return nil, err
		}
		p, err := r.Next()
		if err != nil {
			return nil, err
		}
		out, err := os.Create(path)
		if err != nil {
			return nil, err
		}
		defer out.Close()
		watch.w = out
		if _, err := io.Copy(&watch, p.File); err != nil {
			return nil, err
		}
		return microdot.Text(fmt.Sprint(p.File.Size())), nil
	})
	srv := httptest.NewServer(app)
	defer srv.Close()

	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		fw, err := mw.CreateFormFile("file", "big.bin")
		if err == nil {
			_, err = io.CopyN(fw, rand.NewChaCha8([32]byte{}), size)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	res, err := http.Post(srv.URL+"/upload", mw.FormDataContentType(), pr)
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, 200, res.StatusCode, string(body))
	assert.Equal(t, fmt.Sprint(size), string(body))
	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.EqualValues(t, size, st.Size())
	growth := int64(watch.peak) - int64(ms.HeapInuse)
	t.Logf("heap in use: %d KiB before, growth at peak %d KiB for a %d MiB upload", ms.HeapInuse>>10, growth>>10, size>>20)
	assert.Less(t, growth, int64(size/4), "the upload is not held in memory")
}
