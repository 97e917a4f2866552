package formdata_test

import (
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/formdata"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pattern is an endless, deterministic reader of file content.
type pattern struct{ n int64 }

func (p *pattern) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = byte('a' + (p.n+int64(i))%26)
	}
	p.n += int64(len(b))
	return len(b), nil
}

// heapPeak samples the heap in use until stop is closed, and returns the
// highest value seen.
func heapPeak(stop <-chan struct{}) <-chan uint64 {
	out := make(chan uint64, 1)
	go func() {
		var peak uint64
		var ms runtime.MemStats
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				out <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return out
}

// TestUploadMemoryFlat streams a 16 MiB file through a loopback server into
// a directory, with the body generated on the fly on the client side: the
// heap grows by a small fraction of the file. The reliability module runs
// the same with 100 MiB.
func TestUploadMemoryFlat(t *testing.T) {
	const size = 16 << 20
	dir := t.TempDir()
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
		name, err := p.File.SaveIn(dir)
		if err != nil {
			return nil, err
		}
		return microdot.Text(fmt.Sprintf("%s %d", name, p.File.Size())), nil
	})
	srv := httptest.NewServer(app)
	defer srv.Close()

	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		fw, err := mw.CreateFormFile("file", "big.bin")
		if err == nil {
			_, err = io.CopyN(fw, &pattern{}, size)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	stop := make(chan struct{})
	peak := heapPeak(stop)
	res, err := http.Post(srv.URL+"/upload", mw.FormDataContentType(), pr)
	close(stop)
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	wg.Wait()
	require.Equal(t, 200, res.StatusCode, string(body))
	assert.Equal(t, fmt.Sprintf("big.bin %d", size), string(body))
	st, err := os.Stat(filepath.Join(dir, "big.bin"))
	require.NoError(t, err)
	assert.EqualValues(t, size, st.Size())
	growth := int64(<-peak) - int64(base)
	t.Logf("heap in use: %d KiB before, growth at peak %d KiB for a %d MiB upload", base>>10, growth>>10, size>>20)
	assert.Less(t, growth, int64(size/4), "the upload is not held in memory")
}
