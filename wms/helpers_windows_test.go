package wms

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/windows"

	"github.com/memogram/memogram/internal/transporttest"
	"github.com/memogram/memogram/transport"
)

var slotSeq atomic.Int64

// testName returns a slot name holding the process ID and a counter: slot
// names are global to the wineserver (or the Windows session), and the test
// binaries of several packages run at the same time.
func testName(t testing.TB) string {
	tag := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())
	return fmt.Sprintf(`memogram_test\wms\%d\%s_%d`, os.Getpid(), tag, slotSeq.Add(1))
}

// openPeer opens a Peer on a fresh test name unless cfg names one, and
// closes it when the test ends.
func openPeer(t testing.TB, cfg Config) *Peer {
	t.Helper()
	if cfg.Name == "" {
		cfg.Name = testName(t)
	}
	p, err := Open(cfg)
	if err != nil {
		t.Fatalf("Open(%+v): %v", cfg, err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// onWine reports whether ntdll is Wine's, which exports wine_get_version.
func onWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}

// receive waits for the next message through the non-blocking Receive and
// returns a copy of it. A lost message shows as a go test -timeout.
func receive(t testing.TB, p *Peer) []byte {
	t.Helper()
	for {
		data, src, err := p.Receive()
		if errors.Is(err, transport.ErrWouldBlock) {
			time.Sleep(time.Millisecond)
			continue
		}
		if err != nil {
			t.Fatalf("Receive on %s: %v", p.Name(), err)
		}
		if src != nil {
			t.Fatalf("Receive on %s: source %v, want nil", p.Name(), src)
		}
		return append([]byte{}, data...)
	}
}

// readFrom waits for the next message through the blocking ReadFrom.
func readFrom(t testing.TB, p *Peer) []byte {
	t.Helper()
	buf := make([]byte, p.MaxDatagramSize())
	n, src, err := p.ReadFrom(buf)
	if err != nil || src != nil {
		t.Fatalf("ReadFrom on %s = %d, %v, %v; want a message from nil", p.Name(), n, src, err)
	}
	return buf[:n]
}

func send(t testing.TB, from, to *Peer, data []byte) {
	t.Helper()
	if n, err := from.Send(data, to.LocalAddr()); err != nil || n != len(data) {
		t.Fatalf("Send(%d bytes) to %s = %d, %v", len(data), to.Name(), n, err)
	}
}

// rawWrite writes one message the plain Win32 way, as a foreign writer would.
func rawWrite(t testing.TB, name string, data []byte) {
	t.Helper()
	h, err := openWriter(LocalPrefix + name)
	if err != nil {
		t.Fatalf("open writer to %s: %v", name, err)
	}
	defer windows.CloseHandle(h)
	var n uint32
	if err := windows.WriteFile(h, data, &n, nil); err != nil || int(n) != len(data) {
		t.Fatalf("WriteFile(%d bytes) to %s = %d, %v", len(data), name, n, err)
	}
}

// pattern returns n bytes that differ between sizes and seeds, so that a
// message cut short or mixed up with another does not compare equal.
func pattern(n, seed int) []byte {
	b := make([]byte, n)
	x := uint32(seed*2654435761 + n)
	for i := range b {
		x = x*1664525 + 1013904223
		b[i] = byte(x >> 24)
	}
	return b
}

// goroutineCheck returns a func that fails the test if more goroutines run
// than when goroutineCheck was called, after giving exiting ones time to go.
func goroutineCheck(t *testing.T) func() {
	before := runtime.NumGoroutine()
	return func() {
		t.Helper()
		transporttest.NoLeak(t, before)
	}
}

// waitFor polls cond; the go test -timeout bounds it.
func waitFor(cond func() bool) {
	for !cond() {
		time.Sleep(time.Millisecond)
	}
}
