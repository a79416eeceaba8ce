package memo

import (
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func needCores(t *testing.T) {
	t.Helper()
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("GOMAXPROCS is 1: parallel runs every item on the caller and starts no pool")
	}
}

// TestParallelRunsEachItemOnce calls parallel from many goroutines at once,
// as a sender's and a receiver's batches do: every item runs exactly once,
// before parallel returns.
func TestParallelRunsEachItemOnce(t *testing.T) {
	needCores(t)
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for round := range 200 {
				n := 1 + (g*7+round)%23
				runs := make([]atomic.Int32, n)
				parallel(n, func(i int) {
					runs[i].Add(1)
					if i%5 == 0 {
						runtime.Gosched()
					}
				})
				for i := range runs {
					if c := runs[i].Load(); c != 1 {
						t.Errorf("n=%d: item %d ran %d times by the time parallel returned", n, i, c)
						return
					}
				}
			}
		})
	}
	wg.Wait()
}

// submitSoon queues f, waiting while the queue is full of helpers that
// earlier tests' parallel calls left and the workers have yet to drain.
func submitSoon(t *testing.T, f func()) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); !poolSubmit(f); time.Sleep(time.Millisecond) {
		if time.Now().After(end) {
			t.Fatal("the pool's queue stayed full")
		}
	}
}

// occupyPool blocks every pool worker in a job until the returned func is
// called.
func occupyPool(t *testing.T) (release func()) {
	t.Helper()
	cryptoPool.once.Do(startCryptoPool)
	workers := cap(cryptoPool.wake)
	started, stop := make(chan struct{}, workers), make(chan struct{})
	for range workers {
		submitSoon(t, func() { started <- struct{}{}; <-stop })
	}
	for range workers {
		select {
		case <-started:
		case <-time.After(10 * time.Second):
			close(stop)
			t.Fatal("the pool's workers did not all take a job")
		}
	}
	return func() { close(stop) }
}

// TestParallelDoesNotWaitForQueuedHelpers: with every worker busy, a
// helper parallel queues cannot start, and the caller runs every item;
// parallel then returns at once rather than waiting for the helper to get
// a worker.
func TestParallelDoesNotWaitForQueuedHelpers(t *testing.T) {
	needCores(t)
	release := occupyPool(t)
	defer release()
	done := make(chan int)
	go func() {
		var ran atomic.Int32
		parallel(8, func(int) { ran.Add(1) })
		done <- int(ran.Load())
	}()
	select {
	case ran := <-done:
		if ran != 8 {
			t.Fatalf("parallel returned after %d of 8 items", ran)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("parallel waits for a helper that no worker can start")
	}
}

// TestCryptoPoolPollsThenParks: a worker that finishes a job polls the
// queue for a while, so that the next batch needs no wake-up (the reason
// is in crypto_pool.go), and then parks: an idle pool holds no core.
func TestCryptoPoolPollsThenParks(t *testing.T) {
	needCores(t)
	cryptoPool.once.Do(startCryptoPool)
	polled := false
	for attempt := 0; attempt < 50 && !polled; attempt++ {
		finished := make(chan struct{})
		submitSoon(t, func() { close(finished) })
		<-finished
		for end := time.Now().Add(50 * poolSpin); time.Now().Before(end) && !polled; {
			polled = cryptoPool.spinning.Load()
		}
	}
	if !polled {
		t.Error("no worker polled the queue after its job")
	}

	workers := cap(cryptoPool.wake)
	var parked int
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if parked = parkedWorkers(); parked == workers && !cryptoPool.spinning.Load() {
			return
		}
	}
	t.Fatalf("%d of %d workers parked (polling: %v) long after the last job", parked, workers, cryptoPool.spinning.Load())
}

// parkedWorkers counts the pool's workers blocked waiting for a wake-up.
func parkedWorkers() int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for g := range strings.SplitSeq(string(buf), "\n\n") {
		lines := strings.Split(g, "\n")
		if !strings.Contains(lines[0], "[chan receive") {
			continue
		}
		// The first frame outside the runtime is the worker's own loop,
		// not a job it runs.
		for _, l := range lines[1:] {
			if strings.HasPrefix(l, "\t") || strings.HasPrefix(l, "runtime.") {
				continue
			}
			if strings.HasPrefix(l, "github.com/memogram/memogram/memo.poolWorker(") {
				n++
			}
			break
		}
	}
	return n
}

// TestCryptoPoolWakesForEveryJob queues as many blocking jobs as there are
// workers, again and again, with the workers polling, parking and waking
// in between: every job must find a worker. A job queued while a polling
// worker takes another, and woken for by no one, would hang its round.
func TestCryptoPoolWakesForEveryJob(t *testing.T) {
	needCores(t)
	for round := range 300 {
		release := occupyPool(t)
		release()
		if round%3 == 0 {
			time.Sleep(2 * poolSpin) // let the workers park
		}
	}
}
