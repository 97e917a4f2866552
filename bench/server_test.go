package bench

import (
	"bufio"
	"bytes"
	"fmt"
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
	hello := func(res *http.Response, body string) error {
		if res.StatusCode != http.StatusOK || body != "hello" {
			return fmt.Errorf("GET /hello: got %d %q, want 200 \"hello\"", res.StatusCode, body)
		}
		return nil
	}
	for _, c := range contenders() {
		b.Run("body-only/"+c.name, func(b *testing.B) { benchServer(b, c.static(), staticRequest(), hello) })
	}
	for _, c := range textContenders {
		b.Run("equal-output/"+c.name, func(b *testing.B) { benchServer(b, c.static(), staticRequest(), hello) })
	}
}

// BenchmarkCORSAppServer is BenchmarkCORSApp behind a real server, as
// BenchmarkServer is for the routing cases: what the App's cost per request
// weighs in a whole request.
func BenchmarkCORSAppServer(b *testing.B) {
	for _, c := range corsCases {
		for _, a := range corsApps {
			b.Run(c.name+"/"+a.name, func(b *testing.B) {
				h := a.build(b, &countingHandler{})
				benchServer(b, h, c.req(), func(res *http.Response, _ string) error {
					allowed := res.Header.Get("Access-Control-Allow-Origin") != ""
					if allowed != c.allowed || res.StatusCode >= 500 {
						return fmt.Errorf("%s: status %d, allowed %v, want allowed %v", c.name, res.StatusCode, allowed, c.allowed)
					}
					return nil
				})
			})
		}
	}
}

// benchServer times whole requests of req to h through a real server on
// loopback, over one keep-alive connection; check vets the first response.
func benchServer(b *testing.B, h http.Handler, req *http.Request, check func(res *http.Response, body string) error) {
	srv := httptest.NewServer(h)
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	var raw bytes.Buffer
	if err := req.Write(&raw); err != nil {
		b.Fatal(err)
	}
	request := raw.Bytes()
	br := bufio.NewReader(conn)
	roundTrip := func() (*http.Response, string) {
		if _, err := conn.Write(request); err != nil {
			b.Fatal(err)
		}
		res, err := http.ReadResponse(br, req)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
		return res, string(body)
	}
	if err := check(roundTrip()); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		roundTrip()
	}
}
