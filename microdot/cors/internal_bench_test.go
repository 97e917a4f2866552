package cors

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
)

func BenchmarkCheckACRH(b *testing.B) {
	s, err := compile(Config{AllowedOrigins: []string{"https://example.com"}, AllowedHeaders: []string{"Authorization", "Content-Type", "X-Requested-With"}}, &slabs{})
	if err != nil {
		b.Fatal(err)
	}
	hs := &s.policies[0].headers
	lines := []string{"authorization,content-type,x-requested-with"}
	b.ReportAllocs()
	for b.Loop() {
		if r := hs.check(lines); !r.ok {
			b.Fatal(r)
		}
	}
}

var sink []string

func BenchmarkSlots(b *testing.B) {
	b.ReportAllocs()
	sl := &slabs{}
	r := &http.Request{RemoteAddr: "127.0.0.1:40000"}
	for b.Loop() {
		sink = sl.take(1, r)
	}
}

func BenchmarkSlotsParallel(b *testing.B) {
	b.ReportAllocs()
	sl := &slabs{}
	var port atomic.Int32
	b.RunParallel(func(pb *testing.PB) {
		r := &http.Request{RemoteAddr: fmt.Sprintf("127.0.0.1:%d", 40000+port.Add(1))}
		for pb.Next() {
			s := sl.take(1, r)
			s[0] = "x"
		}
	})
}
