package memo

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// The crypto pool: GOMAXPROCS worker goroutines, started on first use,
// that run the helpers of parallel (sign_parallel.go).
//
// A worker that finishes a job polls the queue for a while before it
// parks. Handing half a batch to a parked worker costs the wake-up of an
// idle core: the woken goroutine waits in the busy caller's run queue until
// another core wakes and steals it. On a 2-vCPU KVM guest that took
// 90–200 µs, about one 64 KiB gram's signature (140 µs), so the helper of a
// 4-gram batch started late or not at all: 370–390 µs a batch instead of
// the 290 µs two cores need, and signed uxd at 0.82 of the crypto ceiling
// instead of 0.90 (docs/PERFORMANCE.md, sixth round). The next batch of a
// stream of signed grams comes within tens of microseconds, and finds the
// polling worker running.
//
// At most one worker polls, and it yields (runtime.Gosched) between polls,
// so it never holds a core that a ready goroutine wants; it parks after
// poolSpin without a job. An idle process spends nothing; a pause in
// signed traffic costs at most poolSpin of one core.
var cryptoPool struct {
	once sync.Once
	// work queues the jobs. No goroutine ever blocks receiving from it: a
	// blocked receiver is handed a send directly, so a parked worker would
	// be given the job ahead of the polling one.
	work chan func()
	// wake holds tokens for parked workers, one each at most.
	wake     chan struct{}
	spinning atomic.Bool // a worker polls work
}

// poolSpin is how long an idle worker polls before it parks: longer than
// the gap between two batches of a signed stream (a batch's sends and the
// next batch's rendering), shorter than anything a user would notice as
// a core kept busy.
const poolSpin = 200 * time.Microsecond

func startCryptoPool() {
	n := runtime.GOMAXPROCS(0)
	cryptoPool.work = make(chan func(), 4*n)
	cryptoPool.wake = make(chan struct{}, n)
	for range n {
		go poolWorker()
	}
}

func poolWorker() {
	for {
		if f := poolTake(); f != nil {
			f()
			continue
		}
		<-cryptoPool.wake
	}
}

// poolTake returns a queued job: at once, or after polling up to poolSpin
// if no other worker polls. It returns nil when none came.
func poolTake() func() {
	p := &cryptoPool
	f := poolTry()
	if f == nil && p.spinning.CompareAndSwap(false, true) {
		for end := time.Now().Add(poolSpin); f == nil && time.Now().Before(end); {
			runtime.Gosched()
			f = poolTry()
		}
		p.spinning.Store(false)
		if f == nil {
			// A job queued between the last poll and the Store found a
			// worker polling and woke none.
			f = poolTry()
		}
	}
	if f != nil {
		poolPass()
	}
	return f
}

func poolTry() func() {
	select {
	case f := <-cryptoPool.work:
		return f
	default:
		return nil
	}
}

// poolPass wakes a worker for jobs still queued once this one has taken
// its own: a submit that found a worker polling woke none. It comes after
// spinning is cleared, so that such a submit, which queued its job before
// it looked, is seen here.
func poolPass() {
	if len(cryptoPool.work) > 0 {
		poolWake()
	}
}

func poolWake() {
	select {
	case cryptoPool.wake <- struct{}{}:
	default: // every parked worker has a token already
	}
}

// poolSubmit queues f for a worker. It reports false when the queue is
// full: the pool is busy enough, and the caller does the work itself.
func poolSubmit(f func()) bool {
	p := &cryptoPool
	select {
	case p.work <- f:
	default:
		return false
	}
	if !p.spinning.Load() {
		poolWake()
	}
	return true
}
