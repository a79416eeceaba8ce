//go:build linux || darwin

package uxd_test

import (
	"bytes"
	"errors"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/memogram/memogram/internal/dgram/dgramtest"
	"github.com/memogram/memogram/transport"
	"github.com/memogram/memogram/uxd"
)

// The behaviour uxd shares with the other transports is tested by
// TestConformance (internal/transporttest); this file tests what is its
// own: socket files, buffer sizes, limits, stale sockets and sources.

// shortDir returns a fresh directory with a short path: sun_path is small.
func shortDir(t testing.TB) string {
	t.Helper()
	d, err := os.MkdirTemp("", "mg")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

func open(t testing.TB, cfg uxd.Config) *uxd.Peer {
	t.Helper()
	p, err := uxd.Open(cfg)
	if err != nil {
		t.Fatalf("Open(%+v): %v", cfg, err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func openAt(t testing.TB, dir, name string) *uxd.Peer {
	t.Helper()
	return open(t, uxd.Config{Path: filepath.Join(dir, name)})
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

func TestOpenReopenClose(t *testing.T) {
	dir := shortDir(t)
	path := filepath.Join(dir, "a.uxd")
	p := open(t, uxd.Config{Path: path})
	addr := p.LocalAddr().String()
	if addr != path || p.LocalAddr().Network() != "unixgram" || !p.Opened() {
		t.Fatalf("LocalAddr %v %q, Opened %v", p.LocalAddr(), p.LocalAddr().Network(), p.Opened())
	}
	if fi, err := os.Lstat(path); err != nil || fi.Mode().Type() != os.ModeSocket {
		t.Fatalf("socket file: %v %v", fi, err)
	}
	if err := p.Reopen(); err != nil {
		t.Fatalf("Reopen: %v", err)
	}
	if p.LocalAddr().String() != addr || !p.Opened() {
		t.Fatalf("after Reopen: %v, Opened %v", p.LocalAddr(), p.Opened())
	}
	roundTrip(t, p, p, []byte("self"))
	if err := p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if p.Opened() || exists(path) {
		t.Fatalf("after Close: Opened %v, socket file left %v", p.Opened(), exists(path))
	}
	if snd, rcv := p.ActualBufSizes(); snd != 0 || rcv != 0 {
		t.Fatalf("ActualBufSizes closed = %d, %d", snd, rcv)
	}
	if err := p.Reopen(); err != nil {
		t.Fatalf("Reopen after Close: %v", err)
	}
	if p.LocalAddr().String() != addr || !exists(path) {
		t.Fatalf("Reopen after Close: %v, file %v", p.LocalAddr(), exists(path))
	}
	roundTrip(t, p, p, []byte("again"))
	if err := p.Close(); err != nil || exists(path) {
		t.Fatalf("Close: %v, file left %v", err, exists(path))
	}
}

func roundTrip(t *testing.T, from, to *uxd.Peer, msg []byte) {
	t.Helper()
	if n, err := from.Send(msg, to.LocalAddr()); err != nil || n != len(msg) {
		t.Fatalf("Send %d bytes: %d, %v", len(msg), n, err)
	}
	data, src := dgramtest.Receive(t, to)
	if !bytes.Equal(data, msg) {
		t.Fatalf("received %d bytes, want %d (byte-exact)", len(data), len(msg))
	}
	if src == nil || src.String() != from.LocalAddr().String() {
		t.Fatalf("src = %v, want %v", src, from.LocalAddr())
	}
}

func TestBuffers(t *testing.T) {
	dir := shortDir(t)
	for _, c := range []struct {
		count, size int
		bc, bs      int
	}{
		{0, 0, 4, 262140},
		{1, 0, 1, 65535},
		{2, 999, 2, 131070},
		{0, 1000, 0, 1000},
		{-1, 0, 0, 65535},
	} {
		p := open(t, uxd.Config{Path: filepath.Join(dir, "b.uxd"), BufCount: c.count, BufSize: c.size})
		if p.BufCount() != c.bc || p.BufSize() != c.bs {
			t.Errorf("BufCount %d BufSize %d: got bc %d bs %d, want %d %d",
				c.count, c.size, p.BufCount(), p.BufSize(), c.bc, c.bs)
		}
		snd, rcv := p.ActualBufSizes()
		// Raised to bs unless the kernel caps it (wmem_max, rmem_max),
		// never lowered below the kernel default.
		if snd <= 0 || rcv <= 0 || (c.bs <= sysctl(t, "wmem_max") && snd < c.bs) ||
			(c.bs <= sysctl(t, "rmem_max") && rcv < c.bs) {
			t.Errorf("bs %d: ActualBufSizes = %d, %d", c.bs, snd, rcv)
		}
		p.Close()
	}
}

// sysctl reads /proc/sys/net/core/<name>, or a huge value off Linux so that
// it limits nothing.
func sysctl(t *testing.T, name string) int {
	b, err := os.ReadFile("/proc/sys/net/core/" + name)
	if err != nil {
		return 1 << 30
	}
	var v int
	for _, c := range bytes.TrimSpace(b) {
		v = v*10 + int(c-'0')
	}
	return v
}

func TestMaxDatagramSize(t *testing.T) {
	dir := shortDir(t)
	a, b := openAt(t, dir, "a"), openAt(t, dir, "b")
	maxSize := a.MaxDatagramSize()
	if maxSize <= 0 || maxSize > uxd.MaxGramSize {
		t.Fatalf("MaxDatagramSize = %d", maxSize)
	}
	if runtime.GOOS == "linux" && maxSize != uxd.MaxGramSize {
		t.Fatalf("MaxDatagramSize = %d, want %d with hio's buffer size", maxSize, uxd.MaxGramSize)
	}
	for _, n := range []int{2048, 65535} {
		if n <= maxSize {
			roundTrip(t, a, b, pattern(n))
		}
	}
}

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>8)
	}
	return b
}

func TestTooLarge(t *testing.T) {
	dir := shortDir(t)
	a := open(t, uxd.Config{Path: filepath.Join(dir, "a"), MaxDatagramSize: 1000})
	if a.MaxDatagramSize() != 1000 {
		t.Fatalf("MaxDatagramSize = %d, want 1000", a.MaxDatagramSize())
	}
	for name, send := range map[string]func([]byte, net.Addr) (int, error){"Send": a.Send, "WriteTo": a.WriteTo} {
		_, err := send(make([]byte, 1001), a.LocalAddr())
		var tl *transport.DatagramTooLargeError
		if !errors.As(err, &tl) || tl.Max != 1000 || tl.Size != 1001 || !errors.Is(err, transport.ErrDatagramTooLarge) {
			t.Errorf("%s of 1001 bytes: %v, want DatagramTooLargeError{1001, 1000}", name, err)
		}
	}
	roundTrip(t, a, a, make([]byte, 1000))
}

// TestStaleDestination: a socket file nobody is bound to is no
// destination either (TestConformance covers a path with no file).
func TestStaleDestination(t *testing.T) {
	dir := shortDir(t)
	a := openAt(t, dir, "a")
	stale := staleSocket(t, filepath.Join(dir, "stale"))
	_, err := a.Send([]byte("x"), stale)
	if !errors.Is(err, transport.ErrNoDestination) || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("Send to a stale socket: %v, want ErrNoDestination and ECONNREFUSED", err)
	}
	if err == nil || !strings.Contains(err.Error(), stale.Name) {
		t.Errorf("error %q does not name %s", err, stale.Name)
	}
}

// staleSocket leaves a socket file nobody is bound to, as a crashed peer
// does.
func staleSocket(t *testing.T, path string) *net.UnixAddr {
	t.Helper()
	addr := &net.UnixAddr{Name: path, Net: "unixgram"}
	c, err := net.ListenUnixgram("unixgram", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.Close() // Go does not unlink datagram sockets
	if fi, err := os.Lstat(path); err != nil || fi.Mode().Type() != os.ModeSocket {
		t.Fatalf("stale socket not left: %v", err)
	}
	return addr
}

func TestStaleAndLiveSockets(t *testing.T) {
	dir := shortDir(t)
	path := filepath.Join(dir, "s")
	staleSocket(t, path)
	p := open(t, uxd.Config{Path: path})
	roundTrip(t, p, p, []byte("over the stale file"))

	_, err := uxd.Open(uxd.Config{Path: path})
	if !errors.Is(err, transport.ErrAddrInUse) {
		t.Fatalf("Open at a live socket: %v, want ErrAddrInUse", err)
	}
	roundTrip(t, p, p, []byte("still mine"))

	plain := filepath.Join(dir, "plain")
	if err := os.WriteFile(plain, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := uxd.Open(uxd.Config{Path: plain}); !errors.Is(err, transport.ErrAddrInUse) {
		t.Fatalf("Open at a regular file: %v, want ErrAddrInUse", err)
	}
	if b, err := os.ReadFile(plain); err != nil || string(b) != "keep" {
		t.Fatalf("regular file touched: %q %v", b, err)
	}
}

func TestUnboundSender(t *testing.T) {
	p := openAt(t, shortDir(t), "p")
	c, err := net.DialUnix("unixgram", nil, p.LocalAddr().(*net.UnixAddr))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for range 2 {
		if _, err := c.Write([]byte("anon")); err != nil {
			t.Fatal(err)
		}
	}
	data, src := dgramtest.Receive(t, p)
	if string(data) != "anon" || src != nil {
		t.Fatalf("Receive = %q from %#v, want nil source", data, src)
	}
	buf := make([]byte, 10)
	n, src, err := p.ReadFrom(buf)
	if err != nil || string(buf[:n]) != "anon" || src != nil {
		t.Fatalf("ReadFrom = %q from %#v, %v; want nil source", buf[:n], src, err)
	}
}

func TestWireLog(t *testing.T) {
	dir := shortDir(t)
	var log bytes.Buffer
	wl := transport.NewWireLog(&log)
	alpha := open(t, uxd.Config{Path: filepath.Join(dir, "alpha.uxd"), WireLog: wl})
	beta := open(t, uxd.Config{Path: filepath.Join(dir, "beta.uxd"), WireLog: wl})
	msg := []byte("alpha sends to beta")
	if _, err := alpha.Send(msg, beta.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	dgramtest.Receive(t, beta)
	if _, err := beta.WriteTo([]byte("beta answers"), alpha.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := alpha.ReadFrom(make([]byte, 100)); err != nil {
		t.Fatal(err)
	}
	a, b := alpha.LocalAddr().String(), beta.LocalAddr().String()
	want := "\nTx " + b + ":\nalpha sends to beta\n" +
		"\nRx " + a + ":\nalpha sends to beta\n" +
		"\nTx " + a + ":\nbeta answers\n" +
		"\nRx " + b + ":\nbeta answers\n"
	if log.String() != want {
		t.Fatalf("wire log:\n%q\nwant\n%q", log.String(), want)
	}
}

// fill sends from p to dst until dst's queue is full and returns how many
// datagrams it took.
func fill(t *testing.T, p, dst *uxd.Peer) int {
	t.Helper()
	for n := 0; ; n++ {
		_, err := p.Send([]byte{byte(n)}, dst.LocalAddr())
		if errors.Is(err, transport.ErrWouldBlock) {
			if n == 0 {
				t.Fatal("queue full before the first datagram")
			}
			return n
		}
		if err != nil {
			t.Fatalf("Send %d: %v", n, err)
		}
	}
}

// TestShorterPathAfterLonger: the sender reuses its socket address buffer;
// a path must not inherit the tail of a longer one sent to before.
func TestShorterPathAfterLonger(t *testing.T) {
	dir := shortDir(t)
	a, long, short := openAt(t, dir, "a"), openAt(t, dir, "a-much-longer-name"), openAt(t, dir, "s")
	for _, to := range []*uxd.Peer{long, short, long, short} {
		roundTrip(t, a, to, []byte(to.LocalAddr().String()))
	}
}
