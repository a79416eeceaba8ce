//go:build windows

package memo

import (
	"unsafe"

	"golang.org/x/sys/windows"
)

// mapSlab allocates a slab outside the Go heap; it falls back to the heap
// if Windows refuses, so a receiver never fails for want of memory there.
func mapSlab() []byte {
	p, err := windows.VirtualAlloc(0, slabSize, windows.MEM_COMMIT|windows.MEM_RESERVE, windows.PAGE_READWRITE)
	if err != nil {
		return heapSlab()
	}
	// Not a Go pointer: memory the collector does not manage.
	return unsafe.Slice((*byte)(*(*unsafe.Pointer)(unsafe.Pointer(&p))), slabSize)
}

func unmapSlab(m []byte) {
	if !isHeapSlab(m) {
		_ = windows.VirtualFree(uintptr(unsafe.Pointer(&m[0])), 0, windows.MEM_RELEASE)
	}
}
