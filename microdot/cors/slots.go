package cors

import (
	"net/http"
	"sync/atomic"
)

// Every header value this package puts into a response lives in a []string
// that belongs to that response alone: a handler may change or append to it
// without touching any other response or the configuration (the flaw of
// sharing one slice between responses, rs/cors#198). Allocating those slices
// one by one would cost an allocation per response; instead, slabs carve
// them out of larger arrays, handing out every element exactly once. A slab
// lives as long as one of its elements is referenced (so a long-lived
// streaming response keeps at most one slab alive); then the garbage
// collector reclaims it like any other array. Nothing is ever reused.

// slabLen is the number of elements in one slab.
const slabLen = 64

// maxTake is the largest request served from a slab; larger ones are
// allocated on their own.
const maxTake = 16

type slab[T any] struct {
	next atomic.Int64 // elements handed out
	vals [slabLen]T
}

// stripes spreads concurrent requests over several current slabs, so that
// cores serving requests at the same time rarely touch the same counter.
const stripes = 16

// slabs is a slab allocator of one CORS instance (no state is shared
// between instances).
type slabs[T any] struct {
	current [stripes]struct {
		p atomic.Pointer[slab[T]]
		_ [56]byte // one cache line per stripe
	}
}

// take returns a zeroed []T of length and capacity n whose elements no other
// caller ever receives. Capacity n means that a handler appending to it
// reallocates instead of spilling into a neighbour. A nil sl allocates.
func (sl *slabs[T]) take(n int, r *http.Request) []T {
	if n > maxTake || sl == nil {
		return make([]T, n)
	}
	// Concurrent requests come on different connections, whose client
	// ports differ: the last byte of the remote address spreads them over
	// the stripes at no cost.
	stripe := 0
	if a := r.RemoteAddr; a != "" {
		stripe = int(a[len(a)-1]) % stripes
	}
	cur := &sl.current[stripe].p
	for {
		s := cur.Load()
		if s != nil {
			if end := int(s.next.Add(int64(n))); end <= slabLen {
				return s.vals[end-n : end : end]
			}
		}
		fresh := new(slab[T])
		fresh.next.Store(int64(n))
		if cur.CompareAndSwap(s, fresh) {
			return fresh.vals[0:n:n]
		}
	}
}
