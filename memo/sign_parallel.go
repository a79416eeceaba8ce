package memo

import (
	"crypto/ed25519"
	"runtime"
	"sync"
	"sync/atomic"
)

// Signing and verifying are per gram and independent of each other, and
// they are where a signed memo's time goes: Ed25519 costs tens of
// microseconds a gram, everything else a few. A Memoer therefore signs the
// grams of a batch, and verifies the grams of a received batch, on all
// cores through one bounded pool of workers; the grams go on the wire, and
// into reassembly, in their order.

// cryptoPool is the process's crypto workers: GOMAXPROCS goroutines,
// started on first use, fed through a bounded queue.
var cryptoPool struct {
	once sync.Once
	work chan func()
}

func startCryptoPool() {
	n := runtime.GOMAXPROCS(0)
	cryptoPool.work = make(chan func(), 4*n)
	for range n {
		go func() {
			for f := range cryptoPool.work {
				f()
			}
		}()
	}
}

// parallel runs f(0) … f(n-1) on up to GOMAXPROCS cores and returns when
// all have run. The caller works too, taking items from the same counter,
// so a busy pool slows parallel down but never blocks it; helpers that
// start after the items are gone return at once.
func parallel(n int, f func(i int)) {
	helpers := min(runtime.GOMAXPROCS(0), n) - 1
	if helpers <= 0 {
		for i := range n {
			f(i)
		}
		return
	}
	cryptoPool.once.Do(startCryptoPool)
	var next atomic.Int64
	var wg sync.WaitGroup
	run := func() {
		for {
			i := int(next.Add(1) - 1)
			if i >= n {
				return
			}
			f(i)
		}
	}
	for range helpers {
		wg.Add(1)
		select {
		case cryptoPool.work <- func() { defer wg.Done(); run() }:
		default: // the queue is full: the pool is busy enough
			wg.Done()
		}
	}
	run()
	wg.Wait()
}

// signGrams appends each gram's signature, in parallel. The grams come
// from Rendering.next without their signatures and have room for them.
func signGrams(r *Renderer, grams [][]byte) {
	parallel(len(grams), func(i int) {
		g := grams[i]
		grams[i] = appendSig(g, ed25519.Sign(r.signer.priv, g), r.form)
	})
}

// renderBatch produces up to len(slots) grams of it into slots, signed in
// parallel when the memo is signed, and returns them.
func renderBatch(it *Rendering, slots [][]byte) [][]byte {
	signed := it.r.signer != nil
	n := 0
	for n < len(slots) {
		g, ok := it.next(slots[n][:0], !signed)
		if !ok {
			break
		}
		slots[n] = g
		n++
	}
	if signed && n > 0 {
		signGrams(it.r, slots[:n])
	}
	return slots[:n]
}
