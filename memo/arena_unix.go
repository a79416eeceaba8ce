//go:build unix

package memo

import "syscall"

// mapSlab maps a slab outside the Go heap; it falls back to the heap if the
// kernel refuses, so a receiver never fails for want of a mapping.
func mapSlab() []byte {
	m, err := syscall.Mmap(-1, 0, slabSize, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return heapSlab()
	}
	return m
}

func unmapSlab(m []byte) {
	if !isHeapSlab(m) {
		_ = syscall.Munmap(m)
	}
}
