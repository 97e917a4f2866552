package sse

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// FuzzReader reads arbitrary streams: the reader never panics or hangs,
// and every event it returns survives a round trip through Send's
// encoding unchanged.
func FuzzReader(f *testing.F) {
	for _, s := range []string{
		"data: a\n\n",
		"event: e\r\nid: 1\r\nretry: 10\r\ndata: a\r\ndata: b\r\n\r\n",
		"\xEF\xBB\xBFdata:x\r\r: comment\n\n",
		"id: \x00\ndata\n\nretry: 99999999999999999999\ndata: \n\n",
		"data: a\rdata: b\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, stream []byte) {
		events, err := ReadEvents(strings.NewReader(string(stream)))
		if err != nil {
			return
		}
		for _, m := range events {
			wire, err := encodeEvent(m.Data, []Option{Event(m.Event), ID(m.ID), Retry(m.Retry)})
			if err != nil {
				t.Fatalf("event %+v read from the stream cannot be sent: %v", m, err)
			}
			back, err := NewReader(strings.NewReader(string(wire))).Next()
			if err != nil && !errors.Is(err, io.EOF) {
				t.Fatalf("re-reading %q: %v", wire, err)
			}
			if back != m {
				t.Fatalf("round trip of %+v through %q gave %+v", m, wire, back)
			}
		}
	})
}
