package cors

import (
	"sync/atomic"
	"unsafe"
)

// Every header value this package puts into a response lives in a []string
// that belongs to that response alone: a handler may change or append to it
// without touching any other response or the configuration (the flaw of
// sharing one slice between responses, rs/cors#198). Allocating those slices
// one by one would cost an allocation per response; instead, slots carves
// them out of larger arrays ("slabs"), handing out every element exactly
// once. A slab lives as long as one of its slices is referenced by a
// response (so a long-lived streaming response keeps at most one 1 KiB slab
// alive); then the garbage collector reclaims it like any other array.

// slabLen is the number of strings in one slab.
const slabLen = 64

// maxSlots is the largest request served from a slab; larger ones (an echoed
// list of many header lines) are allocated on their own.
const maxSlots = 16

type slab struct {
	next atomic.Int64 // elements handed out
	vals [slabLen]string
}

// stripes spreads concurrent requests over several current slabs, so that
// cores serving requests at the same time rarely touch the same counter.
const stripes = 16

var current [stripes]struct {
	p atomic.Pointer[slab]
	_ [56]byte // one cache line per stripe
}

// slots returns a zeroed []string of length and capacity n whose elements no
// other caller ever receives. Capacity n means that a handler appending to it
// reallocates instead of spilling into a neighbour. hint (any per-request
// pointer) picks the stripe.
func slots(n int, hint unsafe.Pointer) []string {
	if n > maxSlots {
		return make([]string, n)
	}
	// Fibonacci hashing of the address: its top bits pick the stripe.
	cur := &current[(uint64(uintptr(hint))*0x9E3779B97F4A7C15)>>60].p
	for {
		s := cur.Load()
		if s != nil {
			if end := int(s.next.Add(int64(n))); end <= slabLen {
				return s.vals[end-n : end : end]
			}
		}
		fresh := new(slab)
		fresh.next.Store(int64(n))
		if cur.CompareAndSwap(s, fresh) {
			return fresh.vals[0:n:n]
		}
	}
}
