package headers_test

import (
	"testing"

	"github.com/microdot-go/microdot/microdot/cors/internal/headers"
)

func BenchmarkCheck(b *testing.B) {
	s := headers.NewSet(headers.Listed, []string{"authorization", "content-type", "x-requested-with"})
	lines := []string{"authorization,content-type,x-requested-with"}
	b.ReportAllocs()
	for b.Loop() {
		if r := s.Check(lines); !r.OK {
			b.Fatal(r)
		}
	}
}
