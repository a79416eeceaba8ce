package e2e

import (
	"bytes"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/memogram/memogram/memo"
)

// rss is this process's resident set in bytes (VmRSS).
func rss(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmRSS in /proc/self/status")
	return 0
}

// Fusing 1,000 memos of 1 MiB over uxd keeps resident memory flat: what it
// is after the first 100 memos it still is, within a margin, after 1,000,
// whether the receiver recycles the memos' buffers or leaves them to the
// garbage collector. Growth would mean reassembly or the engine keeps
// memory a memo no longer needs.
func TestUXDMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("1 GiB through the memo layer; -short skips it")
	}
	for _, recycle := range []bool{true, false} {
		name := "gc"
		if recycle {
			name = "recycle"
		}
		t.Run(name, func(t *testing.T) {
			a, b, _, bp := uxdPair(t, memo.Config{}, memo.Config{})
			in := receiving(t, b)
			ctx := ctxFor(t)
			data := binaryPayload(1, 1<<20)
			var after100 int64
			for i := range 1000 {
				if err := a.Send(ctx, data, bp.LocalAddr()); err != nil {
					t.Fatal(err)
				}
				got := in.next(t)
				if !bytes.Equal(got.Data, data) {
					t.Fatalf("memo %d corrupt", i)
				}
				if recycle {
					b.Recycle(got.Data)
				}
				if i == 99 {
					runtime.GC()
					debug.FreeOSMemory()
					after100 = rss(t)
				}
			}
			runtime.GC()
			debug.FreeOSMemory()
			after1000 := rss(t)
			t.Logf("resident after 100 memos of 1 MiB: %d MiB; after 1,000: %d MiB", after100>>20, after1000>>20)
			// Flat: at most a quarter more, plus 16 MiB for what the
			// runtime keeps around (10 more memos' worth would be growth).
			if after1000 > after100+after100/4+16<<20 {
				t.Errorf("resident memory grew from %d MiB to %d MiB over 900 memos", after100>>20, after1000>>20)
			}
		})
	}
}
