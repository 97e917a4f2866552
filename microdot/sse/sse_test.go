package sse_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/cors"
	"github.com/microdot-go/microdot/microdot/sse"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// waitFor bounds every wait: nothing waited for should take a fraction of it.
const waitFor = 10 * time.Second

// syncBuffer collects an App's log.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// newApp returns an App that serves f at /sse and logs into the buffer.
func newApp(cfg sse.Config, f func(*microdot.Request, *sse.SSE) error) (*microdot.App, *syncBuffer) {
	log := &syncBuffer{}
	app := microdot.New()
	app.Logger = slog.New(slog.NewTextHandler(log, nil))
	app.Get("/sse", cfg.Handler(f))
	return app, log
}

// serve starts a loopback server for app, closed at the end of the test.
func serve(t *testing.T, app *microdot.App) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(app)
	t.Cleanup(srv.Close)
	return srv
}

// get opens the stream at url with optional header pairs.
func get(t *testing.T, url string, header ...string) *http.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	require.NoError(t, err)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { res.Body.Close() })
	return res
}

// Microdot's test_sse, in Go terms: the same events give the same stream
// (JSON without Python's spaces), and the reader gets them back.
func TestSendWritesMicrodotWireFormat(t *testing.T) {
	app, _ := newApp(sse.Config{}, func(req *microdot.Request, s *sse.SSE) error {
		return errors.Join(
			s.Send("foo"),
			s.Send("bar", sse.Event("test")),
			s.Send("bar", sse.Event("test"), sse.ID("id42")),
			s.Send("bar", sse.ID("id42")),
			s.Send("bar", sse.Retry(2500*time.Millisecond)),
			s.Send(map[string]string{"foo": "bar"}),
			s.Comment("ping"),
			s.Send([]any{42, "foo", "bar"}),
			s.Send([]byte("foo")),
		)
	})
	res := microdot.NewTestClient(app).Get("/sse")
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "text/event-stream", res.Header.Get("Content-Type"))
	assert.Equal(t, "no-cache", res.Header.Get("Cache-Control"))
	assert.Equal(t, "data: foo\n\n"+
		"event: test\ndata: bar\n\n"+
		"event: test\nid: id42\ndata: bar\n\n"+
		"id: id42\ndata: bar\n\n"+
		"retry: 2500\ndata: bar\n\n"+
		"data: {\"foo\":\"bar\"}\n\n"+
		": ping\n\n"+
		"data: [42,\"foo\",\"bar\"]\n\n"+
		"data: foo\n\n", res.Text())

	events, err := sse.ReadEvents(strings.NewReader(res.Text()))
	require.NoError(t, err)
	assert.Equal(t, []sse.Message{
		{Data: "foo"},
		{Event: "test", Data: "bar"},
		{Event: "test", ID: "id42", Data: "bar"},
		{ID: "id42", Data: "bar"},
		{Data: "bar", Retry: 2500 * time.Millisecond},
		{Data: `{"foo":"bar"}`},
		{Data: `[42,"foo","bar"]`},
		{Data: "foo"},
	}, events)
}

func TestSendSplitsMultiLineData(t *testing.T) {
	app, _ := newApp(sse.Config{}, func(req *microdot.Request, s *sse.SSE) error {
		return errors.Join(s.Send("a\nb\r\nc\rd"), s.Send("\n"), s.Send(""), s.Comment("x\ny"))
	})
	res := microdot.NewTestClient(app).Get("/sse")
	assert.Equal(t, "data: a\ndata: b\ndata: c\ndata: d\n\n"+"data: \ndata: \n\n"+"data: \n\n"+": x\n: y\n\n", res.Text())
	events, err := sse.ReadEvents(strings.NewReader(res.Text()))
	require.NoError(t, err)
	assert.Equal(t, []sse.Message{{Data: "a\nb\nc\nd"}, {Data: "\n"}, {Data: ""}}, events)
}

func TestSendRefusesWhatWouldBreakTheStream(t *testing.T) {
	tests := []struct {
		name string
		data any
		opt  sse.Option
		want string
	}{
		{"event with LF", "x", sse.Event("a\ndata: injected"), "event name"},
		{"event with CR", "x", sse.Event("a\rb"), "event name"},
		{"id with CRLF", "x", sse.ID("1\r\n"), "event id"},
		{"id with NUL", "x", sse.ID("1\x00"), "event id"},
		{"negative retry", "x", sse.Retry(-time.Second), "retry"},
		{"data that is not JSON", make(chan int), nil, "JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sendErr error
			app, _ := newApp(sse.Config{}, func(req *microdot.Request, s *sse.SSE) error {
				var opts []sse.Option
				if tt.opt != nil {
					opts = append(opts, tt.opt)
				}
				sendErr = s.Send(tt.data, opts...)
				return s.Send("after")
			})
			res := microdot.NewTestClient(app).Get("/sse")
			require.Error(t, sendErr)
			assert.Contains(t, sendErr.Error(), tt.want)
			assert.Equal(t, "data: after\n\n", res.Text(), "nothing of the refused event was written")
		})
	}
}

func TestHandlerFailures(t *testing.T) {
	tests := []struct {
		name   string
		f      func(*microdot.Request, *sse.SSE) error
		status int
		body   string
		logged string
	}{
		{"abort before sending", func(req *microdot.Request, s *sse.SSE) error {
			return microdot.Abort(http.StatusUnauthorized, "log in first")
		}, http.StatusUnauthorized, "log in first", ""},
		{"panic before sending", func(req *microdot.Request, s *sse.SSE) error {
			panic("kaboom")
		}, http.StatusInternalServerError, "Internal Server Error", "kaboom"},
		{"error after sending", func(req *microdot.Request, s *sse.SSE) error {
			s.Send("one")
			return errors.New("sensor gone")
		}, http.StatusOK, "data: one\n\n", "sensor gone"},
		{"nothing sent", func(req *microdot.Request, s *sse.SSE) error {
			return nil
		}, http.StatusOK, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, log := newApp(sse.Config{}, tt.f)
			res := microdot.NewTestClient(app).Get("/sse")
			assert.Equal(t, tt.status, res.StatusCode)
			assert.Equal(t, tt.body, res.Text())
			if tt.status != http.StatusOK {
				assert.NotEqual(t, "text/event-stream", res.Header.Get("Content-Type"))
			}
			assert.Contains(t, log.String(), tt.logged)
		})
	}
}

func TestPanicAfterSendingEndsTheStream(t *testing.T) {
	app, log := newApp(sse.Config{}, func(req *microdot.Request, s *sse.SSE) error {
		s.Send("one")
		panic("kaboom")
	})
	res := get(t, serve(t, app).URL+"/sse")
	assert.Equal(t, http.StatusOK, res.StatusCode)
	r := sse.NewReader(res.Body)
	m, err := r.Next()
	require.NoError(t, err)
	assert.Equal(t, "one", m.Data)
	_, err = r.Next()
	assert.Error(t, err)
	assert.Contains(t, log.String(), "kaboom")
}

func TestCORSHeadersApply(t *testing.T) {
	app, _ := newApp(sse.Config{}, func(req *microdot.Request, s *sse.SSE) error { return s.Send("hi") })
	_, err := cors.New(app, cors.Config{AllowedOrigins: []string{"http://dashboard.example"}})
	require.NoError(t, err)
	c := microdot.NewTestClient(app)
	res := c.Get("/sse", "Origin", "http://dashboard.example")
	assert.Equal(t, "http://dashboard.example", res.Header.Get("Access-Control-Allow-Origin"))
	assert.Equal(t, "data: hi\n\n", res.Text())
	res = c.Get("/sse", "Origin", "http://evil.example")
	assert.Empty(t, res.Header.Get("Access-Control-Allow-Origin"))
}

func TestLastEventID(t *testing.T) {
	app, _ := newApp(sse.Config{}, func(req *microdot.Request, s *sse.SSE) error {
		return s.Send("resuming after " + s.LastEventID())
	})
	res := microdot.NewTestClient(app).Get("/sse", "Last-Event-ID", "41")
	assert.Equal(t, "data: resuming after 41\n\n", res.Text())
}

func TestEventsAreFlushedOneByOne(t *testing.T) {
	read := make(chan struct{})
	app, _ := newApp(sse.Config{}, func(req *microdot.Request, s *sse.SSE) error {
		for i := range 3 {
			if err := s.Send(i, sse.ID(string(rune('a'+i)))); err != nil {
				return err
			}
			select {
			case <-read: // the client got this event before the next is sent
			case <-req.Context().Done():
				return nil
			}
		}
		return nil
	})
	res := get(t, serve(t, app).URL+"/sse")
	r := sse.NewReader(res.Body)
	for i := range 3 {
		m, err := r.Next()
		require.NoError(t, err)
		assert.Equal(t, sse.Message{ID: string(rune('a' + i)), Data: string(rune('0' + i))}, m)
		read <- struct{}{}
	}
	_, err := r.Next()
	assert.ErrorIs(t, err, io.EOF)
}

func TestClientLeavingEndsTheHandler(t *testing.T) {
	sent, returned := make(chan struct{}), make(chan error, 1)
	app, _ := newApp(sse.Config{Heartbeat: -1}, func(req *microdot.Request, s *sse.SSE) error {
		s.Send("hello")
		close(sent)
		<-req.Context().Done()
		returned <- s.Send("too late")
		return nil
	})
	res := get(t, serve(t, app).URL+"/sse")
	<-sent
	res.Body.Close()
	select {
	case err := <-returned:
		assert.ErrorIs(t, err, sse.ErrClosed)
	case <-time.After(waitFor):
		t.Fatal("the handler did not see the client leave")
	}
}

func TestShutdownEndsStreams(t *testing.T) {
	started := make(chan struct{})
	app, _ := newApp(sse.Config{}, func(req *microdot.Request, s *sse.SSE) error {
		s.Send("hello")
		close(started)
		<-s.Context().Done()
		return nil
	})
	res := get(t, serve(t, app).URL+"/sse")
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	require.NoError(t, app.Shutdown(ctx))
	events, err := sse.ReadEvents(res.Body)
	require.NoError(t, err, "the stream ends cleanly")
	assert.Equal(t, []sse.Message{{Data: "hello"}}, events)
}

func TestHeartbeatsStartAndKeepTheStream(t *testing.T) {
	app, _ := newApp(sse.Config{Heartbeat: 20 * time.Millisecond}, func(req *microdot.Request, s *sse.SSE) error {
		<-req.Context().Done()
		return nil
	})
	res := get(t, serve(t, app).URL+"/sse")
	assert.Equal(t, "text/event-stream", res.Header.Get("Content-Type"), "a heartbeat starts the response")
	br := bufio.NewReader(res.Body)
	for range 3 {
		line, err := br.ReadString('\n')
		require.NoError(t, err)
		assert.Equal(t, ": \n", line)
		line, err = br.ReadString('\n')
		require.NoError(t, err)
		assert.Equal(t, "\n", line)
	}
}

func TestSendFromSeveralGoroutines(t *testing.T) {
	app, _ := newApp(sse.Config{}, func(req *microdot.Request, s *sse.SSE) error {
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for range 50 {
					s.Send("line one\nline two", sse.Event("e"))
				}
			})
		}
		wg.Wait()
		return nil
	})
	res := microdot.NewTestClient(app).Get("/sse")
	events, err := sse.ReadEvents(strings.NewReader(res.Text()))
	require.NoError(t, err)
	require.Len(t, events, 400)
	for _, e := range events {
		assert.Equal(t, sse.Message{Event: "e", Data: "line one\nline two"}, e)
	}
}

func TestHeadAnswersTheHeadersWithoutRunningTheStream(t *testing.T) {
	ran := false
	app, _ := newApp(sse.Config{}, func(req *microdot.Request, s *sse.SSE) error {
		ran = true
		<-req.Context().Done()
		return nil
	})
	res := microdot.NewTestClient(app).Head("/sse")
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "text/event-stream", res.Header.Get("Content-Type"))
	assert.False(t, ran)
}

func TestNilFunctionPanicsAtRegistration(t *testing.T) {
	assert.PanicsWithValue(t, "sse: Handler needs a non-nil function", func() { sse.Handler(nil) })
}
