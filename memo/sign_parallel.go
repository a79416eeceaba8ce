package memo

import (
	"crypto/ed25519"
	"runtime"
	"sync/atomic"
)

// Signing and verifying are per gram and independent of each other, and
// they are where a signed memo's time goes: Ed25519 costs tens of
// microseconds a gram, everything else a few. A Memoer therefore signs the
// grams of a batch, and verifies the grams of a received batch, on all
// cores through one bounded pool of workers; the grams go on the wire, and
// into reassembly, in their order.

// parallel runs f(0) … f(n-1) on up to GOMAXPROCS cores (crypto_pool.go)
// and returns when all have run. The caller works too, taking items from
// the same counter, so a busy pool slows parallel down but never blocks
// it. parallel waits for the items, not for its helpers: a helper still
// queued behind other work when the items are gone (the sender's and the
// receiver's batches share the pool) starts later, finds nothing left and
// returns, instead of holding the caller, and with it the next batch.
func parallel(n int, f func(i int)) {
	helpers := min(runtime.GOMAXPROCS(0), n) - 1
	if helpers <= 0 {
		for i := range n {
			f(i)
		}
		return
	}
	cryptoPool.once.Do(startCryptoPool)
	j := &parallelJob{n: int64(n), f: f, fin: make(chan struct{}, 1)}
	for range helpers {
		if !poolSubmit(j.run) {
			break
		}
	}
	j.run()
	<-j.fin
}

// parallelJob is one call of parallel.
type parallelJob struct {
	n    int64
	f    func(int)
	next atomic.Int64  // items taken
	done atomic.Int64  // items run
	fin  chan struct{} // told once, by whoever runs the last item
}

func (j *parallelJob) run() {
	for {
		i := j.next.Add(1) - 1
		if i >= j.n {
			return
		}
		j.f(int(i))
		if j.done.Add(1) == j.n {
			j.fin <- struct{}{}
		}
	}
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
