package memo

// A memo in progress keeps its grams' bytes in its group's arena: a list of
// fixed-size chunks written in arrival order (a large gram read straight
// into chunks starts a chunk of its own: scatter.go). Memory therefore
// follows the bytes that arrived, never the size a zeroth gram's count
// claims (hio's gram-count bomb, HIO-DEFECTS A4, and the amplification of
// reserving the claimed memo up front). Chunks of removed groups go to the Reassembler's
// free list, bounded so that held plus free chunks stay within
// MaxPendingBytes: under a flood that evicts memos as fast as it starts them
// the receiver reuses its memory instead of making garbage for the collector
// to catch up with. A delivered memo is copied out of the chunks into one
// buffer of its exact size.
//
// Chunks live outside the Go heap where the platform allows (mmap on unix,
// VirtualAlloc on Windows; arena_*.go): held bytes then do not raise the
// collector's heap goal, which is twice the live heap, so a receiver at its
// hold cap does not also carry as much again in uncollected garbage.

const (
	chunkSize  = 4 << 10
	slabChunks = 64 // chunks are mapped 256 KiB at a time
	slabSize   = slabChunks * chunkSize
	keepSlabs  = 4 // slabs a receiver with nothing in progress keeps
	// groupOverhead and spanOverhead are what the bookkeeping of a memo in
	// progress costs beside its bytes (the group and pending structures, map
	// and list entries; a span and its share of an index or map), counted
	// against MaxPendingBytes so that many tiny memos are bounded too.
	groupOverhead = 512
	spanOverhead  = 32
)

type chunk [chunkSize]byte

// span is a run of bytes in a group's arena.
type span struct{ off, n int }

// write appends b to grp's arena and returns where it went.
func (r *Reassembler) write(grp *group, b []byte) span {
	s := span{off: grp.used, n: len(b)}
	for len(b) > 0 {
		at := grp.used % chunkSize
		if at == 0 && grp.used/chunkSize == len(grp.chunks) {
			grp.chunks = append(grp.chunks, r.chunk())
			r.account(grp, chunkSize)
		}
		c := grp.chunks[grp.used/chunkSize]
		n := copy(c[at:], b)
		b = b[n:]
		grp.used += n
	}
	return s
}

// read appends the bytes of s in grp's arena to dst.
func (grp *group) read(dst []byte, s span) []byte {
	for off, end := s.off, s.off+s.n; off < end; {
		c := grp.chunks[off/chunkSize]
		at := off % chunkSize
		n := min(chunkSize-at, end-off)
		dst = append(dst, c[at:at+n]...)
		off += n
	}
	return dst
}

func (r *Reassembler) chunk() *chunk {
	if len(r.free) == 0 {
		r.free = r.slabs.grow(r.free)
	}
	n := len(r.free)
	c := r.free[n-1]
	r.free[n-1] = nil
	r.free = r.free[:n-1]
	return c
}

// release gives grp's chunks to the free list. The chunks a Reassembler has
// are never more than the most it held at once (chunks are made only when
// none is free), so this stays within MaxPendingBytes plus a slab.
func (r *Reassembler) release(grp *group) {
	r.free = append(r.free, grp.chunks...)
	clear(grp.chunks)
	grp.chunks = grp.chunks[:0]
	grp.used = 0
}

// trim gives back all slabs but keepSlabs once no memo is in progress, so
// that the memory of a flood is not held after it while a quiet receiver
// keeps a little to start its next memos with. Not while chunks are lent to
// a read (scatter.go): the kernel may be writing into them.
func (r *Reassembler) trim() {
	if len(r.groups) != 0 || len(r.slabs.maps) <= keepSlabs || len(r.lentChunks) != 0 {
		return
	}
	r.slabs.unmap(keepSlabs)
	clear(r.free)
	r.free = r.free[:0]
	for _, m := range r.slabs.maps {
		r.free = appendChunks(r.free, m)
	}
}

// FreeBytes is the memory a Reassembler keeps for reuse: chunks of memos no
// longer in progress. Expire gives most of it back once no memo is in
// progress.
func (r *Reassembler) FreeBytes() int { return len(r.free) * chunkSize }

// HeldBytes is the memory held for memos in progress, as counted against
// MaxPendingBytes: their bytes in whole chunks plus bookkeeping.
func (r *Reassembler) HeldBytes() int { return r.bytes }

// slabSet is the memory chunks are cut from. It holds no Go pointers, so a
// cleanup on the Reassembler can give it back when the Reassembler is
// collected.
type slabSet struct{ maps [][]byte }

// grow maps one more slab and appends its chunks to free.
func (s *slabSet) grow(free []*chunk) []*chunk {
	m := mapSlab()
	s.maps = append(s.maps, m)
	return appendChunks(free, m)
}

// mapped is the memory the slabs take.
func (s *slabSet) mapped() int { return len(s.maps) * slabSize }

// unmap gives back every slab after the first keep.
func (s *slabSet) unmap(keep int) {
	for _, m := range s.maps[keep:] {
		unmapSlab(m)
	}
	clear(s.maps[keep:])
	s.maps = s.maps[:keep]
}

func appendChunks(free []*chunk, m []byte) []*chunk {
	for i := 0; i < slabChunks; i++ {
		free = append(free, (*chunk)(m[i*chunkSize:(i+1)*chunkSize]))
	}
	return free
}
