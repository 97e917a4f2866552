package sse_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/sse"
)

func ExampleHandler() {
	app := microdot.New()
	app.Get("/events", sse.Handler(func(req *microdot.Request, s *sse.SSE) error {
		for i := 1; i <= 3; i++ {
			if err := s.Send(map[string]int{"counter": i}); err != nil {
				return err // the client left or the server is shutting down
			}
		}
		return s.Send("bye", sse.Event("done"))
	}))

	res := microdot.NewTestClient(app).Get("/events")
	fmt.Print(res.Text())
	// Output:
	// data: {"counter":1}
	//
	// data: {"counter":2}
	//
	// data: {"counter":3}
	//
	// event: done
	// data: bye
	//
}

func ExampleSSE_Send() {
	app := microdot.New()
	app.Get("/events", sse.Handler(func(req *microdot.Request, s *sse.SSE) error {
		return s.Send("line one\nline two", sse.Event("note"), sse.ID("7"), sse.Retry(5*time.Second))
	}))
	fmt.Print(microdot.NewTestClient(app).Get("/events").Text())
	// Output:
	// retry: 5000
	// event: note
	// id: 7
	// data: line one
	// data: line two
	//
}

func ExampleReadEvents() {
	events, err := sse.ReadEvents(strings.NewReader("event: tick\nid: 1\ndata: {\"n\":1}\n\n: heartbeat\n\ndata: plain\n\n"))
	if err != nil {
		panic(err)
	}
	for _, e := range events {
		fmt.Printf("%q %q %s\n", e.Event, e.ID, e.Data)
	}
	// Output:
	// "tick" "1" {"n":1}
	// "" "" plain
}

func ExampleConfig_Handler() {
	app := microdot.New()
	// A comment every 5 seconds keeps idle streams alive through proxies.
	app.Get("/events", sse.Config{Heartbeat: 5 * time.Second}.Handler(func(req *microdot.Request, s *sse.SSE) error {
		return s.Send("hello")
	}))
	fmt.Print(microdot.NewTestClient(app).Get("/events").Text())
	// Output:
	// data: hello
	//
}
