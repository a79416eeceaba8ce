package memo

// Heap slabs are made one size larger than mapped ones, so that unmapSlab
// tells them apart by capacity without keeping a set.
func heapSlab() []byte { return make([]byte, slabSize, slabSize+1) }

func isHeapSlab(m []byte) bool { return cap(m) != slabSize }
