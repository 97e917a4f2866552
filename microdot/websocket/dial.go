package websocket

import (
	"context"
	"fmt"
	"net/http"

	"github.com/coder/websocket"
)

// Dial opens a WebSocket connection to url (ws:// or wss://, or http:// and
// https://, which mean the same), sending header with the handshake (an
// Origin, a Cookie...). It is the client side of a conversation with an
// App, for tests over loopback:
//
//	srv := httptest.NewServer(app)
//	defer srv.Close()
//	ws, err := websocket.Dial(ctx, srv.URL+"/echo", nil)
//
// ctx bounds the handshake and every later Receive and Send: cancelling it
// drops the connection. A refused handshake is an error that carries the
// status the server answered (see HandshakeStatus).
func Dial(ctx context.Context, url string, header http.Header) (*WebSocket, error) {
	conn, res, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: header})
	if err != nil {
		status := 0
		if res != nil {
			status = res.StatusCode
		}
		return nil, &HandshakeError{StatusCode: status, Err: err}
	}
	conn.SetReadLimit(-1) // the server decides what it sends
	return &WebSocket{conn: conn, ctx: ctx}, nil
}

// HandshakeError is what Dial returns when the connection could not be
// opened.
type HandshakeError struct {
	StatusCode int   // the server's answer, such as 400 or 403; 0 if none came
	Err        error // the cause
}

// Error says that the handshake failed, with the status when there is one.
func (e *HandshakeError) Error() string {
	if e.StatusCode == 0 {
		return fmt.Sprintf("websocket: dial: %v", e.Err)
	}
	return fmt.Sprintf("websocket: dial: the server answered %d %s: %v", e.StatusCode, http.StatusText(e.StatusCode), e.Err)
}

// Unwrap returns the cause.
func (e *HandshakeError) Unwrap() error { return e.Err }
