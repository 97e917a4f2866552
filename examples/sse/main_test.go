package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/sse"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestPageOpensTheEventSource(t *testing.T) {
	res := microdot.NewTestClient(newApp(time.Second)).Get("/")
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, res.Text(), "new EventSource('/events')")
}

func TestEventsCount(t *testing.T) {
	app := newApp(time.Millisecond)
	srv := httptest.NewServer(app)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/events", nil)
	require.NoError(t, err)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	assert.Equal(t, "text/event-stream", res.Header.Get("Content-Type"))
	r := sse.NewReader(res.Body)
	for _, want := range []string{`{"counter":1}`, `{"counter":2}`, `{"counter":3}`} {
		m, err := r.Next()
		require.NoError(t, err)
		assert.Equal(t, want, m.Data)
	}
	require.NoError(t, app.Shutdown(ctx), "the endless stream ends on Shutdown")
}
