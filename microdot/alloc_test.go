package microdot_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
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
// without it; net/http's own ResponseWriter has it too, as it has Flush and
// write deadlines, which the App uses to bound slow clients.
func (w *reuseWriter) WriteString(s string) (int, error) { return len(s), nil }
func (w *reuseWriter) Flush()                            {}
func (w *reuseWriter) SetWriteDeadline(time.Time) error  { return nil }

// TestAllocations pins the allocations per request of the App, hooks
// included. Each request has a Request of its own (with two slices for the
// values of parameter routes, as this App has), and each Response a Header
// map with its Content-Type; the response's Content-Length value is one
// more, and the X-After hook's value another. Nothing is pooled that user
// code can hold. Allocation counts are deterministic, unlike timings, so
// they are asserted here; the timings are compared in bench/.
func TestAllocations(t *testing.T) {
	if testing.Short() || raceDetector {
		t.Skip("allocation counts need a normal run")
	}
	app := microdot.New()
	app.BeforeRequest(func(*microdot.Request) (*microdot.Response, error) { return nil, nil })
	app.AfterRequest(func(_ *microdot.Request, res *microdot.Response) *microdot.Response {
		res.Header.Set("X-After", "1")
		return nil
	})
	app.Get("/text", text("hello"))
	app.Get("/user/<name>", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.Text(req.PathValue("name")), nil
	})
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
		return nil, nil
	})
	app.Get("/int/<int:id>", func(req *microdot.Request) (*microdot.Response, error) {
		if _, ok := req.ParamInt("id"); !ok {
			return nil, microdot.Abort(http.StatusInternalServerError)
		}
		return nil, nil
	})

	// request: the Request and its two parameter slices; response: the
	// Response with its Content-Type value (one allocation), its Header map
	// and the map's first group.
	tests := []struct {
		path   string
		status int
		max    float64
	}{
		{"/text", http.StatusOK, 7},           // request 3, response 3, X-After
		{"/user/gopher", http.StatusOK, 7},    // the same: the copy of the path values goes into the slices of the request
		{"/empty", http.StatusNoContent, 7},   // request 3, an empty Response, its Header map and the map's first group, X-After
		{"/bytes", http.StatusOK, 8},          // as /text, and the body's slice boxed in the Response
		{"/scratch", http.StatusNoContent, 9}, // as /empty, and the scratch map and its first group
		{"/int/42", http.StatusNoContent, 7},  // as /empty: converters parse without allocating
		{"/missing", http.StatusNotFound, 7},  // request 3, the path lookup's buffers, the error response
		{"/text/", http.StatusNotFound, 7},    // the same
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
			t.Logf("%.0f allocations", n)
			require.Equal(t, tt.status, w.status)
			assert.LessOrEqual(t, n, tt.max)
		})
	}
}

// TestResponseSize keeps the Response that every handler allocates small:
// its size is what the garbage collector pays for each request.
func TestResponseSize(t *testing.T) {
	assert.LessOrEqual(t, unsafe.Sizeof(microdot.Response{}), uintptr(64))
}
