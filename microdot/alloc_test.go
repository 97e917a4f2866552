package microdot_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"unsafe"

	"github.com/microdot-go/microdot/microdot"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// reuseWriter is a ResponseWriter kept for many requests, as a server's
// connection keeps its buffers: it records the status and clears its header
// map before each request, so that only the App's own allocations count.
type reuseWriter struct {
	h      http.Header
	status int
}

func (w *reuseWriter) Header() http.Header         { return w.h }
func (w *reuseWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *reuseWriter) WriteHeader(code int)        { w.status = code }

// WriteString spares the copy that io.WriteString makes for writers
// without it; net/http's own ResponseWriter has it too.
func (w *reuseWriter) WriteString(s string) (int, error) { return len(s), nil }

// TestAllocations pins the allocations per request of the App, hooks
// included: the handler's Response and nothing else. Allocation counts are
// deterministic, unlike timings, so they are asserted here; the timings are
// compared with other routers in bench/.
func TestAllocations(t *testing.T) {
	if testing.Short() || raceDetector {
		t.Skip("allocation counts need a normal run")
	}
	shared := microdot.Text("shared")
	app := microdot.New()
	app.BeforeRequest(func(*microdot.Request) (*microdot.Response, error) { return nil, nil })
	app.AfterRequest(func(_ *microdot.Request, res *microdot.Response) *microdot.Response {
		res.Header.Set("X-After", "1") // a constant slice of one: no allocation but the header's
		return nil
	})
	app.Get("/text", text("hello"))
	app.Get("/user/<name>", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Text(req.PathValue("name")), nil
	})
	app.Get("/shared", func(*microdot.Request) (*microdot.Response, error) { return shared, nil })
	app.Get("/empty", func(*microdot.Request) (*microdot.Response, error) { return nil, nil })
	body := []byte("bytes")
	app.Get("/bytes", func(*microdot.Request) (*microdot.Response, error) {
		return microdot.Bytes("application/octet-stream", body), nil
	})
	app.Get("/scratch", func(req *microdot.Request) (*microdot.Response, error) {
		req.Set("user", "ada")
		if v, _ := req.Get("user"); v != "ada" {
			return nil, microdot.Abort(http.StatusInternalServerError)
		}
		return shared, nil
	})
	app.Get("/int/<int:id>", func(req *microdot.Request) (*microdot.Response, error) {
		if _, ok := req.ParamInt("id"); !ok {
			return nil, microdot.Abort(http.StatusInternalServerError)
		}
		return shared, nil
	})

	tests := []struct {
		path   string
		status int
		max    float64
	}{
		{"/text", http.StatusOK, 2},        // the Response, the X-After value
		{"/user/gopher", http.StatusOK, 2}, // the same
		{"/shared", http.StatusOK, 1},      // X-After only: a shared Response is not copied
		{"/empty", http.StatusNoContent, 1},
		{"/bytes", http.StatusOK, 3},         // the Response and its body's slice header, X-After
		{"/scratch", http.StatusOK, 1},       // the scratch map is kept by the pooled request  // X-After only
		{"/int/42", http.StatusOK, 1},        // converters parse without allocating
		{"/missing", http.StatusNotFound, 2}, // the error and its Response
		{"/text/", http.StatusNotFound, 2},   // the same
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, tt.path, nil)
			w := &reuseWriter{h: http.Header{}}
			n := testing.AllocsPerRun(1000, func() {
				clear(w.h)
				w.status = 0
				app.ServeHTTP(w, r)
			})
			require.Equal(t, tt.status, w.status)
			assert.LessOrEqual(t, n, tt.max)
			t.Logf("%.0f allocations", n)
		})
	}
}

// TestResponseSize keeps the Response that every handler allocates small:
// its size is what the garbage collector pays for each request.
func TestResponseSize(t *testing.T) {
	assert.LessOrEqual(t, unsafe.Sizeof(microdot.Response{}), uintptr(64))
}
