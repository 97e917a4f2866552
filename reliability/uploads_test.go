package reliability

import (
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/formdata"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// filler is an endless, deterministic reader of file content, so that the
// client never holds the file it uploads.
type filler struct{ n int64 }

func (f *filler) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = byte('a' + (f.n+int64(i))%26)
	}
	f.n += int64(len(b))
	return len(b), nil
}

// TestUpload100MB streams a 100 MiB file in a multipart/form-data body
// through a real loopback server into a directory, with formdata's Reader
// and File.SaveIn. The body is generated while it is sent, and the heap of
// the process (client and server) is sampled every 5 ms: its peak growth
// must stay a small fraction of the file.
func TestUpload100MB(t *testing.T) {
	const size = 100 << 20
	dir := t.TempDir()
	app := microdot.New()
	app.MaxBodyBytes = 200 << 20
	app.Post("/upload", func(req *microdot.Request) (*microdot.Response, error) {
		r, err := formdata.NewReader(req, formdata.Limits{MaxFileBytes: 150 << 20})
		if err != nil {
			return nil, err
		}
		p, err := r.Next()
		if err != nil {
			return nil, err
		}
		if p.File == nil {
			return nil, microdot.Abort(400, "expected a file")
		}
		name, err := p.File.SaveIn(dir)
		if err != nil {
			return nil, err
		}
		return microdot.Text(fmt.Sprintf("%s %d", name, p.File.Size())), nil
	})
	// Generous on a busy machine, as a deployment taking large uploads
	// over a slow network would set it.
	ts := serve(t, app, func(srv *http.Server) { srv.ReadTimeout = 5 * time.Minute })
	client := &http.Client{Timeout: 5 * time.Minute}
	defer client.CloseIdleConnections()

	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	sent := make(chan error, 1)
	go func() {
		fw, err := mw.CreateFormFile("file", "../../big.bin")
		if err == nil {
			_, err = io.CopyN(fw, &filler{}, size)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
		sent <- err
	}()

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	baseHeap, baseSys := ms.HeapInuse, ms.Sys
	stop := make(chan struct{})
	peaks := make(chan [2]uint64, 1)
	go func() {
		var heap, sys uint64
		var ms runtime.MemStats
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			heap, sys = max(heap, ms.HeapInuse), max(sys, ms.Sys)
			select {
			case <-stop:
				peaks <- [2]uint64{heap, sys}
				return
			case <-tick.C:
			}
		}
	}()

	start := time.Now()
	res, err := client.Post(ts.url+"/upload", mw.FormDataContentType(), pr)
	elapsed := time.Since(start)
	close(stop)
	peak := <-peaks
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.NoError(t, <-sent)
	require.Equal(t, 200, res.StatusCode, string(body))
	assert.Equal(t, fmt.Sprintf("big.bin %d", size), string(body), "saved under its safe name, whole")

	st, err := os.Stat(filepath.Join(dir, "big.bin"))
	require.NoError(t, err)
	assert.EqualValues(t, size, st.Size())
	f, err := os.Open(filepath.Join(dir, "big.bin"))
	require.NoError(t, err)
	defer f.Close()
	head := make([]byte, 30)
	_, err = io.ReadFull(f, head)
	require.NoError(t, err)
	assert.Equal(t, "abcdefghijklmnopqrstuvwxyzabcd", string(head))

	heapGrowth := int64(peak[0]) - int64(baseHeap)
	sysGrowth := int64(peak[1]) - int64(baseSys)
	figure(t, "upload 100 MiB", "%.1f s, %.0f MiB/s", elapsed.Seconds(), float64(size)/(1<<20)/elapsed.Seconds())
	figure(t, "upload heap in use", "%s before, peak growth %s", kib(int64(baseHeap)), kib(heapGrowth))
	figure(t, "upload memory from the OS (Sys)", "peak growth %s", kib(sysGrowth))
	assert.Less(t, heapGrowth, int64(16<<20), "the heap stays flat while 100 MiB go through")
}
