package bench

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkServer puts the router figures in proportion: the static case
// again, served by a real net/http server over a loopback keep-alive
// connection, so that one op is a whole request as a client sees it
// (parsing, the server's response writer, the socket). The client side is
// the same for every contender: one connection, a fixed request, the
// response read and discarded. "body-only" is BenchmarkStatic's handlers
// (net/http sniffs a Content-Type for the peers), "equal-output" is
// BenchmarkStaticText's.
func BenchmarkServer(b *testing.B) {
	for _, c := range contenders() {
		b.Run("body-only/"+c.name, func(b *testing.B) { benchServer(b, c.static()) })
	}
	for _, c := range textContenders {
		b.Run("equal-output/"+c.name, func(b *testing.B) { benchServer(b, c.static()) })
	}
}

func benchServer(b *testing.B, h http.Handler) {
	srv := httptest.NewServer(h)
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	request := []byte("GET /hello HTTP/1.1\r\nHost: bench\r\n\r\n")
	roundTrip := func() (int, string) {
		if _, err := conn.Write(request); err != nil {
			b.Fatal(err)
		}
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
		return res.StatusCode, string(body)
	}
	if status, body := roundTrip(); status != http.StatusOK || body != "hello" {
		b.Fatalf("GET /hello: got %d %q, want 200 \"hello\"", status, body)
	}
	b.ReportAllocs()
	for b.Loop() {
		roundTrip()
	}
}
