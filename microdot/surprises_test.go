package microdot_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/microdot-go/microdot/microdot"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConstructorsGiveAUsableHeader: res.Header.Set works on what every
// constructor returns, and the header is sent.
func TestConstructorsGiveAUsableHeader(t *testing.T) {
	produce := func(context.Context, io.Writer) error { return nil }
	file := filepath.Join(t.TempDir(), "hello.txt")
	require.NoError(t, os.WriteFile(file, []byte("hello"), 0o600))
	tests := []struct {
		name string
		res  func() *microdot.Response
	}{
		{"Text", func() *microdot.Response { return microdot.Text("x") }},
		{"HTML", func() *microdot.Response { return microdot.HTML("<p>x</p>") }},
		{"JSON", func() *microdot.Response { return microdot.JSON(map[string]int{"a": 1}) }},
		{"Bytes", func() *microdot.Response { return microdot.Bytes("", []byte("x")) }},
		{"Redirect", func() *microdot.Response { return microdot.Redirect("/there") }},
		{"Stream", func() *microdot.Response { return microdot.Stream("text/plain", produce) }},
		{"File", func() *microdot.Response { return microdot.File(file) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := quietApp()
			app.Get("/", func(*microdot.Request) (*microdot.Response, error) {
				res := tt.res()
				res.Header.Set("X-Set", "by the handler")
				return res, nil
			})
			res := microdot.NewTestClient(app).Get("/")
			assert.Equal(t, "by the handler", res.Header.Get("X-Set"))
		})
	}
}

// TestKeptRequestAndResponseDoNotChange: a *Request and a *Response kept
// after their request ended stay as they were, whatever the next requests do.
func TestKeptRequestAndResponseDoNotChange(t *testing.T) {
	app := quietApp()
	var kept []*microdot.Request
	var keptRes []*microdot.Response
	app.AfterRequest(func(req *microdot.Request, res *microdot.Response) *microdot.Response {
		kept, keptRes = append(kept, req), append(keptRes, res)
		return nil
	})
	app.Get("/items/<id>", func(req *microdot.Request) (*microdot.Response, error) {
		req.Set("id", req.PathValue("id"))
		return nil, nil
	})
	app.Get("/status/<int:code>", func(req *microdot.Request) (*microdot.Response, error) {
		code, _ := req.ParamInt("code")
		return microdot.Text("x").WithStatus(code), nil
	})
	tc := microdot.NewTestClient(app)
	require.Equal(t, http.StatusNoContent, tc.Get("/items/a").StatusCode)
	require.Equal(t, http.StatusCreated, tc.Get("/status/201").StatusCode)
	for range 3 {
		tc.Get("/items/b")
		tc.Get("/status/202")
	}
	first := kept[0]
	require.NotNil(t, first.Request, "the embedded *http.Request of a kept Request")
	assert.Equal(t, "/items/a", first.URL.Path)
	assert.Equal(t, "a", first.PathValue("id"))
	v, _ := first.Get("id")
	assert.Equal(t, "a", v)
	assert.Equal(t, http.StatusNoContent, keptRes[0].StatusCode)
	assert.Equal(t, http.StatusCreated, keptRes[1].StatusCode)
}

// TestHeaderValuesIsNotPublic: the allocation device is not part of the API.
func TestHeaderValuesIsNotPublic(t *testing.T) {
	_, ok := reflect.TypeFor[*microdot.Request]().MethodByName("HeaderValues")
	assert.False(t, ok)
}

// TestSharedResponseWithoutHooksDoesNotRace: the App itself never writes to
// a Response that a handler returns, so one without hooks that change it
// may be served by concurrent requests (run with -race).
func TestSharedResponseWithoutHooksDoesNotRace(t *testing.T) {
	app := quietApp()
	shared := microdot.JSON(map[string]string{"status": "ok"})
	shared.Header.Set("Cache-Control", "no-store")
	app.Get("/", func(*microdot.Request) (*microdot.Response, error) { return shared, nil })
	tc := microdot.NewTestClient(app)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				res := tc.Get("/")
				assert.Equal(t, `{"status":"ok"}`, res.Text())
				assert.Equal(t, "no-store", res.Header.Get("Cache-Control"))
			}
		})
	}
	wg.Wait()
	assert.Equal(t, http.Header{"Content-Type": {"application/json"}, "Cache-Control": {"no-store"}}, shared.Header)
}

// TestPlain500CarriesNoHeadersOfTheFailedResponse: when the error path
// fails, the plain 500 that replaces the error response carries none of the
// headers that response had.
func TestPlain500CarriesNoHeadersOfTheFailedResponse(t *testing.T) {
	failures := map[string]microdot.AfterFunc{
		"panic": func(*microdot.Request, *microdot.Response) *microdot.Response { panic("after-error hook") },
		"invalid replacement": func(*microdot.Request, *microdot.Response) *microdot.Response {
			return microdot.Redirect("\r\nX: y")
		},
	}
	for name, hook := range failures {
		t.Run(name, func(t *testing.T) {
			app := quietApp()
			app.ErrorHandler(http.StatusNotFound, func(*microdot.Request, error) (*microdot.Response, error) {
				res := microdot.Redirect("/login")
				res.Header.Set("Cache-Control", "max-age=3600")
				if err := res.SetCookie(&http.Cookie{Name: "session", Value: "x"}); err != nil {
					return nil, err
				}
				return res, nil
			})
			app.AfterErrorRequest(hook)
			res := microdot.NewTestClient(app).Get("/missing")
			assert.Equal(t, http.StatusInternalServerError, res.StatusCode)
			for _, k := range []string{"Location", "Cache-Control", "Set-Cookie"} {
				assert.Empty(t, res.Header.Values(k), k)
			}
		})
	}
}

// TestDecliningOptionsFuncLeavesNoHeader: a header that an OptionsFunc set
// before declining does not reach the automatic OPTIONS reply.
func TestDecliningOptionsFuncLeavesNoHeader(t *testing.T) {
	app := quietApp()
	app.OptionsHandler(func(_ *microdot.Request, res *microdot.Response) bool {
		res.Header.Set("Access-Control-Allow-Origin", "*")
		return false
	})
	app.Get("/", text("x"))
	res := microdot.NewTestClient(app).Options("/")
	assert.Equal(t, http.StatusNoContent, res.StatusCode)
	assert.Empty(t, res.Header.Get("Access-Control-Allow-Origin"))
	assert.Equal(t, "GET, HEAD, OPTIONS", res.Header.Get("Allow"))
}

// TestErrorReasonsSpeakHTTP: DecodeJSON names the field and the JSON types,
// a 413 states the limit, and the automatic 404 and 405 carry their status
// text as the reason.
func TestErrorReasonsSpeakHTTP(t *testing.T) {
	app := quietApp()
	app.MaxBodyBytes = 64
	app.Post("/camera", func(req *microdot.Request) (*microdot.Response, error) {
		var cfg struct {
			FPS  int `json:"fps"`
			Mode struct {
				Night bool `json:"night"`
			} `json:"mode"`
		}
		if err := req.DecodeJSON(&cfg); err != nil {
			return nil, err
		}
		return nil, nil
	})
	reasons := map[int]string{}
	for _, status := range []int{400, 404, 405, 413} {
		app.ErrorHandler(status, func(_ *microdot.Request, err error) (*microdot.Response, error) {
			var he *microdot.HTTPError
			require.True(t, errors.As(err, &he))
			reasons[status] = he.Reason
			return microdot.Text(he.Reason).WithStatus(status), nil
		})
	}
	tc := microdot.NewTestClient(app)
	tests := []struct {
		name, method, path, body string
		status                   int
		reason                   string
	}{
		{"type mismatch", "POST", "/camera", `{"fps":"thirty"}`, 400, `field "fps": expected a number, got a string`},
		{"nested field", "POST", "/camera", `{"mode":{"night":1}}`, 400, `field "mode.night": expected a boolean, got a number`},
		{"syntax", "POST", "/camera", `{"fps":`, 400, "malformed JSON body: unexpected EOF"},
		{"declared too large", "POST", "/camera", strings.Repeat(" ", 65) + "{}", 413, "request body larger than the limit of 64 bytes"},
		{"not found", "GET", "/nowhere", "", 404, "Not Found"},
		{"method not allowed", "GET", "/camera", "", 405, "Method Not Allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res *microdot.TestResponse
			if tt.body != "" {
				res = tc.Request(tt.method, tt.path, tt.body, "Content-Type", "application/json")
			} else {
				res = tc.Request(tt.method, tt.path, nil)
			}
			assert.Equal(t, tt.status, res.StatusCode)
			assert.Equal(t, tt.reason, reasons[tt.status])
			assert.Equal(t, tt.reason, res.Text())
		})
	}
}
