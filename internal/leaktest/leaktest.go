// Package leaktest counts what a process holds — descriptors (handles on
// Windows) and goroutines — so that tests can show that opening and
// closing something many times leaves nothing behind. Only tests import it.
package leaktest

import (
	"runtime"
	"runtime/pprof"
	"testing"
	"time"
)

// Snapshot is what the process holds at one moment.
type Snapshot struct {
	Descriptors int // open file descriptors, or handles on Windows
	Goroutines  int
	Threads     int // OS threads the Go runtime created so far
}

// Take counts what the process holds now. It skips t where the platform
// offers no way to count descriptors.
func Take(t testing.TB) Snapshot {
	t.Helper()
	n, err := descriptors()
	if err != nil {
		t.Skipf("cannot count this process's descriptors on %s: %v", runtime.GOOS, err)
	}
	return Snapshot{Descriptors: n, Goroutines: runtime.NumGoroutine(), Threads: pprof.Lookup("threadcreate").Count()}
}

// windowsSlack is how many more handles than before are not counted as a
// leak on Windows. Under Wine 8 the count moves by a few handles between
// two scans of the same idle process (28 and 32 were both seen), handles
// Wine keeps for its own threads; a leak in what the tests repeat 1,000
// times would show as 1,000 or more.
const windowsSlack = 8

// allowed is how many descriptors are not a leak, compared with before. On
// Windows the runtime also keeps a handle to every OS thread it creates,
// when it likes (and never ends them).
func (before Snapshot) allowed(now Snapshot) int {
	if runtime.GOOS != "windows" {
		return before.Descriptors
	}
	return before.Descriptors + now.Threads - before.Threads + windowsSlack
}

// settle bounds how long goroutines that are already ending may take to
// finish: a hang detector, not a performance threshold.
const settle = 30 * time.Second

// Check fails t unless the process holds no more than it did at before,
// once goroutines that are ending have had time to end.
func Check(t testing.TB, before Snapshot) {
	t.Helper()
	var now Snapshot
	for deadline := time.Now().Add(settle); ; time.Sleep(10 * time.Millisecond) {
		now = Take(t)
		if now.Goroutines <= before.Goroutines && now.Descriptors <= before.allowed(now) || time.Now().After(deadline) {
			break
		}
	}
	if now.Descriptors > before.allowed(now) {
		t.Errorf("%d descriptors open, %d before (%d OS threads created meanwhile)", now.Descriptors, before.Descriptors, now.Threads-before.Threads)
	}
	if now.Goroutines > before.Goroutines {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		t.Errorf("%d goroutines, %d before:\n%s", now.Goroutines, before.Goroutines, buf)
	}
}
