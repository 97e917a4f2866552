package cors

import (
	"testing"
	"unsafe"
)

func BenchmarkCheckACRH(b *testing.B) {
	s, err := compile(Config{AllowedOrigins: []string{"https://example.com"}, AllowedHeaders: []string{"Authorization", "Content-Type", "X-Requested-With"}})
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
	var x int
	for b.Loop() {
		sink = slots(1, unsafe.Pointer(&x))
	}
}

func BenchmarkSlotsParallel(b *testing.B) {
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		hint := new(int)
		for pb.Next() {
			s := slots(1, unsafe.Pointer(hint))
			s[0] = "x"
		}
	})
}
