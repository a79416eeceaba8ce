//go:build !unix && !windows

package memo

func mapSlab() []byte    { return heapSlab() }
func unmapSlab(m []byte) {}
