package sse

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Option sets a field of an event: its name, id or the client's
// reconnection delay.
type Option func(*fields) error

// fields are the optional fields of an event.
type fields struct {
	event, id string
	retry     time.Duration
}

// Event names the event (the "event:" field), which a browser dispatches
// to the listeners of that name instead of onmessage. A name with CR or LF
// makes Send fail.
func Event(name string) Option {
	return func(f *fields) error {
		if strings.ContainsAny(name, "\r\n") {
			return fmt.Errorf("sse: event name %q contains CR or LF; use a single-line name", name)
		}
		f.event = name
		return nil
	}
}

// ID sets the event's id (the "id:" field), which a reconnecting client
// sends back as Last-Event-ID. An id with CR, LF or NUL makes Send fail.
func ID(id string) Option {
	return func(f *fields) error {
		if strings.ContainsAny(id, "\r\n\x00") {
			return fmt.Errorf("sse: event id %q contains CR, LF or NUL; use a single-line id", id)
		}
		f.id = id
		return nil
	}
}

// Retry tells the client how long to wait before reconnecting when the
// stream is lost (the "retry:" field, in milliseconds, as Microdot sends
// it). A negative delay makes Send fail.
func Retry(d time.Duration) Option {
	return func(f *fields) error {
		if d < 0 {
			return fmt.Errorf("sse: retry delay %v is negative; use zero or more", d)
		}
		f.retry = d
		return nil
	}
}

// encodeEvent returns the wire form of an event, in Microdot's field order.
func encodeEvent(data any, opts []Option) ([]byte, error) {
	var f fields
	for _, o := range opts {
		if err := o(&f); err != nil {
			return nil, err
		}
	}
	var text string
	switch d := data.(type) {
	case string:
		text = d
	case []byte:
		text = string(d)
	default:
		b, err := json.Marshal(d)
		if err != nil {
			return nil, fmt.Errorf("sse: event data cannot be encoded as JSON: %w", err)
		}
		text = string(b)
	}
	var b strings.Builder
	if f.retry > 0 {
		b.WriteString("retry: " + strconv.FormatInt(f.retry.Milliseconds(), 10) + "\n")
	}
	if f.event != "" {
		b.WriteString("event: " + f.event + "\n")
	}
	if f.id != "" {
		b.WriteString("id: " + f.id + "\n")
	}
	writeLines(&b, "data: ", text)
	b.WriteString("\n")
	return []byte(b.String()), nil
}

// encodeComment returns the wire form of a comment.
func encodeComment(text string) []byte {
	var b strings.Builder
	writeLines(&b, ": ", text)
	b.WriteString("\n")
	return []byte(b.String())
}

// writeLines writes each line of text (split at CRLF, CR or LF, as an
// event stream is) after prefix.
func writeLines(b *strings.Builder, prefix, text string) {
	for {
		i := strings.IndexAny(text, "\r\n")
		if i < 0 {
			b.WriteString(prefix + text + "\n")
			return
		}
		b.WriteString(prefix + text[:i] + "\n")
		if text[i] == '\r' && i+1 < len(text) && text[i+1] == '\n' {
			i++
		}
		text = text[i+1:]
	}
}
