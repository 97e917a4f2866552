package sse

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Message is one event read from a stream.
type Message struct {
	Event string        // the event name; "" for unnamed events (a browser's "message")
	ID    string        // the id sent with this event, "" if none
	Data  string        // the data lines, joined with "\n"
	Retry time.Duration // the reconnection delay sent with this event, 0 if none
}

// MaxEventBytes is the largest event a Reader accepts, counting every line
// of it: a stream that sends more without a blank line is refused rather
// than held in memory.
const MaxEventBytes = 1 << 20

// Reader reads the events of a text/event-stream, as a browser's
// EventSource parses it: lines end with CRLF, LF or CR, comments and
// unknown fields are skipped, and a block without data is not an event.
// Use it on a TestClient response body, or on a live response:
//
//	r := sse.NewReader(res.Body)
//	msg, err := r.Next()
type Reader struct {
	br     *bufio.Reader
	skipLF bool // the previous line ended with CR: a following LF belongs to it
	begun  bool // the byte-order mark, if any, was skipped
	line   []byte
}

// NewReader returns a Reader of the events in r.
func NewReader(r io.Reader) *Reader {
	return &Reader{br: bufio.NewReader(r)}
}

// ReadEvents returns every event in r, up to its end, such as the body of a
// TestClient response from a stream that ended.
func ReadEvents(r io.Reader) ([]Message, error) {
	var out []Message
	rd := NewReader(r)
	for {
		m, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, m)
	}
}

// Next returns the next event. At the end of the stream it returns io.EOF
// (an event cut short by the end is dropped, as browsers do); an event
// larger than MaxEventBytes is an error.
func (r *Reader) Next() (Message, error) {
	var m Message
	var data strings.Builder
	hasData, size := false, 0
	for {
		line, err := r.readLine(MaxEventBytes - size)
		if err != nil {
			return Message{}, err
		}
		size += len(line) + 1
		if len(line) == 0 {
			if hasData {
				m.Data = strings.TrimSuffix(data.String(), "\n")
				return m, nil
			}
			m = Message{} // a block without data is no event
			continue
		}
		name, value, _ := strings.Cut(string(line), ":")
		value = strings.TrimPrefix(value, " ")
		switch name {
		case "event":
			m.Event = value
		case "data":
			data.WriteString(value + "\n")
			hasData = true
		case "id":
			if !strings.ContainsRune(value, 0) {
				m.ID = value
			}
		case "retry":
			if ms, err := strconv.ParseUint(value, 10, 63); err == nil && value != "" && value[0] != '+' {
				m.Retry = time.Duration(min(ms, uint64(1<<63-1)/uint64(time.Millisecond))) * time.Millisecond
			}
		}
	}
}

// readLine returns the next line without its ending; at most limit bytes.
func (r *Reader) readLine(limit int) ([]byte, error) {
	r.line = r.line[:0]
	for {
		c, err := r.br.ReadByte()
		if err != nil {
			return nil, err
		}
		if !r.begun {
			r.begun = true
			if c == 0xEF {
				if bom, _ := r.br.Peek(2); string(bom) == "\xBB\xBF" {
					r.br.Discard(2)
					continue
				}
			}
		}
		if r.skipLF {
			r.skipLF = false
			if c == '\n' {
				continue
			}
		}
		switch c {
		case '\r':
			r.skipLF = true
			return r.line, nil
		case '\n':
			return r.line, nil
		}
		if len(r.line) >= limit {
			return nil, fmt.Errorf("sse: event longer than %d bytes without a blank line", MaxEventBytes)
		}
		r.line = append(r.line, c)
	}
}
