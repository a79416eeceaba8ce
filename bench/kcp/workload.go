package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Workload is the set of memos every system moves from A to B, in order.
// Memo i starts with i as 8 big-endian bytes, so the receiver knows which
// one arrived whatever the transport; the rest is seeded random bytes.
type Workload struct {
	Memos [][]byte
	Bytes int64
}

// warmupIndex marks the one small memo each run sends first, to set up
// sessions and round-trip estimates before the clock starts.
const warmupIndex = ^uint64(0)

// MixSpec says how many memos of each size a workload has.
type MixSpec struct {
	Small, Large         int // counts
	SmallSize, LargeSize int // bytes
}

// DefaultMix is 1,024 memos of 16 KiB and 64 of 256 KiB (32 MiB in all),
// interleaved in a seeded order: small memos measure latency, large ones
// fill the window.
var DefaultMix = MixSpec{Small: 1024, Large: 64, SmallSize: 16 << 10, LargeSize: 256 << 10}

// NewWorkload builds mix's memos in a seeded order.
func NewWorkload(mix MixSpec, seed uint64) *Workload {
	sizes := make([]int, 0, mix.Small+mix.Large)
	for range mix.Small {
		sizes = append(sizes, mix.SmallSize)
	}
	for range mix.Large {
		sizes = append(sizes, mix.LargeSize)
	}
	r := rand.New(rand.NewPCG(seed, 0x3e30))
	r.Shuffle(len(sizes), func(i, j int) { sizes[i], sizes[j] = sizes[j], sizes[i] })
	w := &Workload{Memos: make([][]byte, len(sizes))}
	for i, n := range sizes {
		b := make([]byte, max(n, 8))
		for k := 8; k+8 <= len(b); k += 8 {
			binary.LittleEndian.PutUint64(b[k:], r.Uint64())
		}
		binary.BigEndian.PutUint64(b, uint64(i))
		w.Memos[i] = b
		w.Bytes += int64(len(b))
	}
	return w
}

// warmup is the small memo sent before the clock starts.
func warmup() []byte {
	b := make([]byte, 64)
	binary.BigEndian.PutUint64(b, warmupIndex)
	return b
}

// tracker records, per memo, when its send call started and when it fully
// arrived, and checks what arrived.
type tracker struct {
	w        *Workload
	start    []atomic.Int64 // unix ns of the send call
	arrive   []atomic.Int64 // unix ns of full arrival
	got      atomic.Int64   // memos arrived
	bytes    atomic.Int64   // and their bytes
	progress chan struct{}  // signalled on each arrival
	bad      atomic.Int64   // corrupt, unknown or duplicate memos
	all      chan struct{}  // closed when every memo arrived
	warm     chan struct{}  // closed when the warm-up memo arrived
	once     sync.Once
	warmOne  sync.Once
	errMu    sync.Mutex
	errs     []string
}

func newTracker(w *Workload) *tracker {
	return &tracker{w: w, start: make([]atomic.Int64, len(w.Memos)), arrive: make([]atomic.Int64, len(w.Memos)),
		all: make(chan struct{}), warm: make(chan struct{}), progress: make(chan struct{}, 1)}
}

func (t *tracker) sending(i int) { t.start[i].Store(time.Now().UnixNano()) }

// arrived takes one received memo.
func (t *tracker) arrived(data []byte) {
	now := time.Now().UnixNano()
	if len(data) < 8 {
		t.fail("memo of %d bytes", len(data))
		return
	}
	idx := binary.BigEndian.Uint64(data)
	if idx == warmupIndex {
		t.warmOne.Do(func() { close(t.warm) })
		return
	}
	if idx >= uint64(len(t.w.Memos)) || !bytes.Equal(data, t.w.Memos[idx]) {
		t.fail("memo %d: %d bytes, corrupt", idx, len(data))
		return
	}
	if !t.arrive[idx].CompareAndSwap(0, now) {
		t.fail("memo %d delivered twice", idx)
		return
	}
	t.bytes.Add(int64(len(data)))
	select {
	case t.progress <- struct{}{}:
	default:
	}
	if t.got.Add(1) == int64(len(t.w.Memos)) {
		t.once.Do(func() { close(t.all) })
	}
}

func (t *tracker) fail(format string, args ...any) {
	t.bad.Add(1)
	t.errMu.Lock()
	if len(t.errs) < 10 {
		t.errs = append(t.errs, fmt.Sprintf(format, args...))
	}
	t.errMu.Unlock()
}

// Result is one system's run over one loss rate.
type Result struct {
	System    string
	Loss      float64
	Memos     int           // sent
	Delivered int           // arrived intact, once
	Bad       int           // corrupt, unknown or duplicate arrivals
	Errors    []string      // the first few of them, and send errors
	Bytes     int64         // memo bytes delivered
	Wall      time.Duration // first send call to last arrival
	Lat       []time.Duration
	CPU       time.Duration // process CPU time (user + system) over the run: the system's, the relay's and the receiver's
	Datagrams [2]uint64     // the relay's forwarded datagrams A→B, B→A
	Dropped   [2]uint64     // and dropped
}

// result reads the tracker after a run.
func (t *tracker) result(system string, loss float64) Result {
	r := Result{System: system, Loss: loss, Memos: len(t.w.Memos), Bad: int(t.bad.Load())}
	first, last := int64(0), int64(0)
	for i := range t.w.Memos {
		s, a := t.start[i].Load(), t.arrive[i].Load()
		if s != 0 && (first == 0 || s < first) {
			first = s
		}
		if a == 0 {
			continue
		}
		last = max(last, a)
		r.Delivered++
		r.Bytes += int64(len(t.w.Memos[i]))
		r.Lat = append(r.Lat, time.Duration(a-s))
	}
	slices.Sort(r.Lat)
	if first != 0 && last > first {
		r.Wall = time.Duration(last - first)
	}
	t.errMu.Lock()
	r.Errors = append(r.Errors, t.errs...)
	t.errMu.Unlock()
	return r
}

// Goodput is memo bytes delivered per second of wall time, in MB/s (10⁶).
func (r Result) Goodput() float64 {
	if r.Wall <= 0 {
		return 0
	}
	return float64(r.Bytes) / r.Wall.Seconds() / 1e6
}

// PerCPU is memo bytes delivered per CPU second, in MB: what the run
// costs, less sensitive than goodput to other load on the machine.
func (r Result) PerCPU() float64 {
	if r.CPU <= 0 {
		return 0
	}
	return float64(r.Bytes) / r.CPU.Seconds() / 1e6
}

// Percentile is the q-th (0…1) memo latency, nearest rank.
func (r Result) Percentile(q float64) time.Duration {
	if len(r.Lat) == 0 {
		return 0
	}
	i := int(q*float64(len(r.Lat))+0.5) - 1
	return r.Lat[min(max(i, 0), len(r.Lat)-1)]
}
