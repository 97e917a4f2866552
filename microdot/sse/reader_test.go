package sse_test

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/microdot-go/microdot/microdot/sse"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReaderParsesAsABrowserDoes(t *testing.T) {
	tests := []struct {
		name   string
		stream string
		want   []sse.Message
	}{
		{"LF endings", "data: a\n\n", []sse.Message{{Data: "a"}}},
		{"CRLF endings", "event: e\r\ndata: a\r\n\r\n", []sse.Message{{Event: "e", Data: "a"}}},
		{"CR endings", "id: 1\rdata: a\r\r", []sse.Message{{ID: "1", Data: "a"}}},
		{"byte-order mark", "\xEF\xBB\xBFdata: a\n\n", []sse.Message{{Data: "a"}}},
		{"no space after the colon", "data:a\nevent:e\n\n", []sse.Message{{Event: "e", Data: "a"}}},
		{"only one space removed", "data:  a\n\n", []sse.Message{{Data: " a"}}},
		{"field without colon", "data\n\n", []sse.Message{{Data: ""}}},
		{"multi-line data", "data: a\ndata: b\n\n", []sse.Message{{Data: "a\nb"}}},
		{"comments and unknown fields", ": hi\nfoo: bar\ndata: a\n\n", []sse.Message{{Data: "a"}}},
		{"block without data", "event: e\nid: 3\n\ndata: a\n\n", []sse.Message{{Data: "a"}}},
		{"id with NUL ignored", "id: a\x00b\ndata: a\n\n", []sse.Message{{Data: "a"}}},
		{"retry in milliseconds", "retry: 1500\ndata: a\n\n", []sse.Message{{Data: "a", Retry: 1500 * time.Millisecond}}},
		{"retry not a number ignored", "retry: 1.5\nretry: +3\nretry: -1\nretry:\ndata: a\n\n", []sse.Message{{Data: "a"}}},
		{"unfinished event dropped", "data: a\n\ndata: b\n", []sse.Message{{Data: "a"}}},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := sse.ReadEvents(strings.NewReader(tt.stream))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestReaderRefusesAnEndlessEvent(t *testing.T) {
	long := "data: " + strings.Repeat("x", sse.MaxEventBytes) + "\n\n"
	_, err := sse.ReadEvents(strings.NewReader(long))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "longer than")

	many := strings.Repeat("data: xxxxxxxxxxxxxxxxxxxxxxx\n", sse.MaxEventBytes/20) + "\n"
	_, err = sse.ReadEvents(strings.NewReader(many))
	assert.Error(t, err, "the limit counts every line of an event")
}

func TestReaderNextReturnsEOFAtTheEnd(t *testing.T) {
	r := sse.NewReader(strings.NewReader("data: a\n\n"))
	m, err := r.Next()
	require.NoError(t, err)
	assert.Equal(t, "a", m.Data)
	_, err = r.Next()
	assert.ErrorIs(t, err, io.EOF)
}
