package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestPageOpensTheWebSocket(t *testing.T) {
	res := microdot.NewTestClient(newApp()).Get("/")
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, res.Text(), "new WebSocket(")
}

func TestEcho(t *testing.T) {
	srv := httptest.NewServer(newApp())
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// The page's own origin, as a browser sends it.
	ws, err := websocket.Dial(ctx, srv.URL+"/echo", http.Header{"Origin": {srv.URL}})
	require.NoError(t, err)
	defer ws.Close()
	for _, msg := range []string{"hello", "", "bye ✓"} {
		require.NoError(t, ws.Send(msg))
		got, binary, err := ws.Receive()
		require.NoError(t, err)
		assert.False(t, binary)
		assert.Equal(t, msg, string(got))
	}
}
