package memo

import (
	"math/bits"
	"sync"
)

// Buffers of large memos are where a receiver spends much of its time: a fresh
// buffer per memo costs page faults and zeroing that cost more than the
// copy into it. Callers that are done with a memo can hand its buffer back
// with Memoer.Recycle; bufPool keeps such buffers by power-of-two capacity.
// Small buffers are pooled too, so that a steady stream of recycled
// one-gram memos allocates nothing.
const (
	minPooledShift = 6  // 64 B
	maxPooledShift = 26 // 64 MiB, DefaultMaxMemoSize
)

type bufPool struct {
	classes [maxPooledShift - minPooledShift + 1]sync.Pool
	// holders are spare *[]byte boxes: a sync.Pool keeps pointers, and
	// boxing a slice anew on every put would allocate.
	holders sync.Pool
}

// get returns an empty buffer with room for at least n bytes.
func (p *bufPool) get(n int) []byte {
	shift := bits.Len(uint(max(n, 1) - 1))
	if shift < minPooledShift || shift > maxPooledShift {
		return make([]byte, 0, n)
	}
	if h, ok := p.classes[shift-minPooledShift].Get().(*[]byte); ok {
		b := (*h)[:0]
		*h = nil
		p.holders.Put(h)
		return b
	}
	return make([]byte, 0, 1<<shift)
}

// put keeps b for reuse if its capacity is one of the pooled classes.
func (p *bufPool) put(b []byte) {
	c := cap(b)
	if c == 0 || c&(c-1) != 0 {
		return
	}
	shift := bits.TrailingZeros(uint(c))
	if shift < minPooledShift || shift > maxPooledShift {
		return
	}
	h, ok := p.holders.Get().(*[]byte)
	if !ok {
		h = new([]byte)
	}
	*h = b[:0]
	p.classes[shift-minPooledShift].Put(h)
}
