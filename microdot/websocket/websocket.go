// Package websocket serves WebSocket connections, as Microdot's websocket
// extension does (with_websocket, ws.receive, ws.send, ws.close), on
// github.com/coder/websocket for the protocol:
//
//	app.Get("/echo", websocket.Handler(func(req *microdot.Request, ws *websocket.WebSocket) error {
//		for {
//			msg, _, err := ws.Receive()
//			if err != nil {
//				return nil // the client closed the connection
//			}
//			if err := ws.Send(string(msg)); err != nil {
//				return err
//			}
//		}
//	}))
//
// A request that is not a valid WebSocket handshake gets 400 with the
// reason. Browsers do not apply CORS to WebSocket, so the handshake is
// checked here: only same-origin pages and clients that send no Origin
// (not browsers) are accepted by default, others get 403; Config.CORS
// trusts the origins that a CORS policy allows too. Messages larger than
// 16 KiB close the connection with 1009, as in Microdot; the server pings
// idle clients and drops those that do not answer; on Shutdown open
// connections are closed with 1001 (going away).
//
// [Dial] holds the client side of a conversation, for tests over loopback
// (httptest.NewServer(app)) and for Go clients.
package websocket

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/cors"
)

// Defaults of a Config's zero fields.
const (
	DefaultMaxMessageBytes = 16 << 10 // as Microdot
	DefaultPingInterval    = 30 * time.Second
	DefaultPongTimeout     = 15 * time.Second
)

// Config adjusts the connections of the handlers it makes.
type Config struct {
	// MaxMessageBytes is the largest message that Receive accepts; a larger
	// one closes the connection with 1009 (message too big). Zero means
	// DefaultMaxMessageBytes; a negative value means no limit.
	MaxMessageBytes int64
	// PingInterval is how often the server pings the client. Zero means
	// DefaultPingInterval; a negative value sends no pings.
	PingInterval time.Duration
	// PongTimeout is how long a ping may go unanswered before the
	// connection is dropped as dead. Zero means DefaultPongTimeout. Pongs
	// are read by Receive, so a handler that pings must keep receiving.
	PongTimeout time.Duration
	// CORS, when not nil, makes the handshake accept the origins that this
	// policy allows (for a GET of the same path), besides the same origin:
	// one list governs fetch and WebSocket alike. A policy that allows any
	// origin ("*") lets any page open the connection.
	CORS *cors.CORS
}

// Handler returns a handler that upgrades the request to a WebSocket and
// runs f with it, with the default Config. See [Config.Handler].
func Handler(f func(req *microdot.Request, ws *WebSocket) error) microdot.Handler {
	return Config{}.Handler(f)
}

// Handler returns a handler that upgrades the request to a WebSocket and
// runs f with it. When f returns, the connection is closed: with 1000
// (normal closure) when f returned nil, 1011 (internal error) when it
// returned an error, which is logged, or panicked. A request that is not a
// valid handshake gets 400, one from a foreign origin 403, and one on a
// connection that cannot be taken over (HTTP/2) 501, through the App's
// error handlers, and f does not run. req.Context() is done when the
// App shuts down; the connection is then closed with 1001 and Receive
// fails. A Send blocked on a client that does not read fails, and drops the
// connection, after the App's WriteStallTimeout.
func (c Config) Handler(f func(req *microdot.Request, ws *WebSocket) error) microdot.Handler {
	if f == nil {
		panic("websocket: Handler needs a non-nil function")
	}
	return func(req *microdot.Request) (*microdot.Response, error) {
		if err := checkHandshake(req.Request); err != nil {
			return nil, err
		}
		if err := c.checkOrigin(req.Request); err != nil {
			return nil, err
		}
		stall := req.App().WriteStallLimit()
		return microdot.Takeover(func(w http.ResponseWriter, r *http.Request) error {
			return c.serve(req, w, r, stall, f)
		}), nil
	}
}

// serve runs one connection.
func (c Config) serve(req *microdot.Request, w http.ResponseWriter, r *http.Request, stall time.Duration,
	f func(*microdot.Request, *WebSocket) error) (err error) {
	if !canHijack(w) {
		return microdot.Abort(http.StatusNotImplemented, "WebSocket handshake: this connection cannot be taken over "+
			"(HTTP/2, or an in-memory test client); connect over HTTP/1.1")
	}
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		InsecureSkipVerify: true, // checkOrigin did, with the same-origin and CORS rules
		CompressionMode:    websocket.CompressionDisabled,
	})
	if err != nil {
		return fmt.Errorf("websocket: handshake failed: %w", err)
	}
	conn.SetReadLimit(c.maxMessage())
	// The handler's calls do not use r's context, which Shutdown cancels:
	// coder/websocket would drop the connection on it, where Shutdown
	// closes it with 1001 instead.
	ws := &WebSocket{conn: conn, ctx: context.WithoutCancel(r.Context()), stall: stall}
	ctx, cancel := context.WithCancel(r.Context())
	var wg sync.WaitGroup
	returned := false
	defer func() {
		cancel()
		wg.Wait()
		switch {
		case !returned: // a panic, which the App logs
			conn.Close(websocket.StatusInternalError, "internal error")
		case err == nil && !ws.closed() && r.Context().Err() == nil:
			conn.Close(websocket.StatusNormalClosure, "")
		}
		conn.CloseNow() // if Close gave up
	}()
	goingAway := make(chan struct{})
	stop := context.AfterFunc(r.Context(), func() { // Shutdown
		defer close(goingAway)
		conn.Close(websocket.StatusGoingAway, "server shutting down")
	})
	defer func() {
		if !stop() {
			<-goingAway // f may return before the close handshake ends: let it finish
		}
	}()
	if every := c.pingInterval(); every > 0 {
		wg.Go(func() { c.ping(ctx, conn, every) })
	}
	req.Request = r.WithContext(ctx)
	err = f(req, ws)
	returned = true
	if err != nil && !ws.closed() {
		conn.Close(websocket.StatusInternalError, "internal error")
	}
	return err
}

// ping pings the client every interval until ctx ends, and drops the
// connection when a pong does not come back in time.
func (c Config) ping(ctx context.Context, conn *websocket.Conn, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	timeout := c.PongTimeout
	if timeout <= 0 {
		timeout = DefaultPongTimeout
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		pctx, cancel := context.WithTimeout(ctx, timeout)
		err := conn.Ping(pctx)
		cancel()
		if err != nil {
			if ctx.Err() == nil {
				conn.CloseNow()
			}
			return
		}
	}
}

func (c Config) maxMessage() int64 {
	switch {
	case c.MaxMessageBytes == 0:
		return DefaultMaxMessageBytes
	case c.MaxMessageBytes < 0:
		return -1
	}
	return c.MaxMessageBytes
}

func (c Config) pingInterval() time.Duration {
	if c.PingInterval == 0 {
		return DefaultPingInterval
	}
	return c.PingInterval
}

// checkHandshake returns a 400 error naming what makes r not a WebSocket
// handshake (RFC 6455, section 4.2.1), or nil.
func checkHandshake(r *http.Request) error {
	bad := func(format string, args ...any) error {
		return microdot.Abort(http.StatusBadRequest, "WebSocket handshake: "+fmt.Sprintf(format, args...))
	}
	switch {
	case !r.ProtoAtLeast(1, 1):
		return bad("HTTP/1.1 or later is required, not %s", r.Proto)
	case r.Method != http.MethodGet:
		return bad("the method must be GET, not %s", r.Method)
	case !hasToken(r.Header, "Connection", "upgrade"):
		return bad("the Connection header must contain Upgrade")
	case !hasToken(r.Header, "Upgrade", "websocket"):
		return bad("the Upgrade header must contain websocket")
	case r.Header.Get("Sec-WebSocket-Version") != "13":
		return bad("Sec-WebSocket-Version must be 13, not %q", r.Header.Get("Sec-WebSocket-Version"))
	}
	keys := r.Header.Values("Sec-WebSocket-Key")
	if len(keys) != 1 {
		return bad("exactly one Sec-WebSocket-Key header is required, not %d", len(keys))
	}
	if k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(keys[0])); err != nil || len(k) != 16 {
		return bad("Sec-WebSocket-Key must be 16 bytes in base64")
	}
	return nil
}

// canHijack reports whether the writer underneath w, the one that owns the
// connection, can hand it over.
func canHijack(w http.ResponseWriter) bool {
	for {
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			_, ok := w.(http.Hijacker)
			return ok
		}
		w = u.Unwrap()
	}
}

func hasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// checkOrigin returns a 403 error when r comes from a page of another
// origin that c does not trust, or nil.
func (c Config) checkOrigin(r *http.Request) error {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return nil // not a browser: no cross-site request to fear
	}
	if u, err := url.Parse(origin); err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host) {
		return nil
	}
	if c.CORS != nil {
		switch c.CORS.GetCORSHeaders(r).Get("Access-Control-Allow-Origin") {
		case origin, "*":
			return nil
		}
	}
	return microdot.Abort(http.StatusForbidden,
		fmt.Sprintf("WebSocket handshake: origin %q is not allowed to open a connection to %s", origin, r.Host))
}

// WebSocket is one connection, given to the function of a Handler or
// returned by Dial. One goroutine may call Receive while others Send.
type WebSocket struct {
	conn  *websocket.Conn
	ctx   context.Context
	stall time.Duration

	mu   sync.Mutex
	done bool // Close was called
}

// Receive returns the next message, and whether it is binary. It fails
// when the connection is closed, by either side, or broken; CloseStatus
// tells which close code ended it.
func (ws *WebSocket) Receive() (msg []byte, binary bool, err error) {
	typ, b, err := ws.conn.Read(ws.ctx)
	if err != nil {
		return nil, false, fmt.Errorf("websocket: receive: %w", err)
	}
	return b, typ == websocket.MessageBinary, nil
}

// Send sends msg as a text message. Text must be valid UTF-8 (browsers drop
// a connection that sends anything else); use SendBinary for bytes.
func (ws *WebSocket) Send(msg string) error {
	if !utf8.ValidString(msg) {
		return errors.New("websocket: send: a text message must be valid UTF-8; use SendBinary for other bytes")
	}
	return ws.write(websocket.MessageText, []byte(msg))
}

// SendBinary sends msg as a binary message.
func (ws *WebSocket) SendBinary(msg []byte) error {
	return ws.write(websocket.MessageBinary, msg)
}

func (ws *WebSocket) write(typ websocket.MessageType, msg []byte) error {
	ctx := ws.ctx
	if ws.stall > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, ws.stall)
		defer cancel()
	}
	if err := ws.conn.Write(ctx, typ, msg); err != nil {
		return fmt.Errorf("websocket: send: %w", err)
	}
	return nil
}

// Close closes the connection with 1000 (normal closure), waiting a few
// seconds at most for the other side to confirm. Receive and Send fail
// afterwards. Closing twice is not an error.
func (ws *WebSocket) Close() error {
	ws.mu.Lock()
	if ws.done {
		ws.mu.Unlock()
		return nil
	}
	ws.done = true
	ws.mu.Unlock()
	if err := ws.conn.Close(websocket.StatusNormalClosure, ""); err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("websocket: close: %w", err)
	}
	return nil
}

func (ws *WebSocket) closed() bool {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return ws.done
}

// CloseStatus returns the close code (1000 normal, 1001 going away, 1009
// message too big...) that ended the connection whose Receive or Send
// returned err, or -1 when err does not come from a close.
func CloseStatus(err error) int {
	return int(websocket.CloseStatus(err))
}
