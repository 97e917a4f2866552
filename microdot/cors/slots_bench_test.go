package cors

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
)

var sink []string

func BenchmarkSlabs(b *testing.B) {
	b.ReportAllocs()
	sl := &slabs[string]{}
	r := &http.Request{RemoteAddr: "127.0.0.1:40000"}
	for b.Loop() {
		sink = sl.take(1, r)
	}
}

func BenchmarkSlabsParallel(b *testing.B) {
	b.ReportAllocs()
	sl := &slabs[string]{}
	var port atomic.Int32
	b.RunParallel(func(pb *testing.PB) {
		r := &http.Request{RemoteAddr: fmt.Sprintf("127.0.0.1:%d", 40000+port.Add(1))}
		for pb.Next() {
			s := sl.take(1, r)
			s[0] = "x"
		}
	})
}
