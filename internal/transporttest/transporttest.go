// Package transporttest is the conformance suite that every memogram
// transport's tests run, in the spirit of golang.org/x/net/nettest.TestConn:
// deadlines, Close while blocked, concurrent use, the non-blocking Peer
// side, size limits, gathered writes and scattered reads, missing destinations, address round trips and the
// shape of every error (package transport describes it). Only tests import
// it.
package transporttest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/memogram/memogram/transport"
)

// Conn is what the suite drives: a transport's *Peer.
type Conn interface {
	net.PacketConn
	transport.Peer
	transport.MaxDatagramSizer
	Reopen() error
}

// Transport describes one transport to the suite.
type Transport struct {
	// Net is the Net of every *net.OpError the transport returns.
	Net string

	// OpenAt opens an endpoint at addr: a Fresh one, or the String of an
	// open one's LocalAddr, where the suite expects transport.ErrAddrInUse.
	// Opener adapts a transport's own Open.
	OpenAt func(addr string) (Conn, error)
	// Fresh returns an address no endpoint uses yet ("127.0.0.1:0" does).
	Fresh func(t *testing.T) string
	// Resolve turns an address's String back into the address, as the
	// transport's own resolver does.
	Resolve func(s string) (net.Addr, error)

	// Missing returns an address where nothing is bound, for a transport
	// that can tell (a unix socket path, a mailslot name); nil for one that
	// cannot (UDP: a datagram to a closed port is simply lost), which
	// skips the NoDestination subtest.
	Missing func(t *testing.T) net.Addr
	// MissingErrno is the OS error that a send to Missing matches besides
	// transport.ErrNoDestination; nil to check none.
	MissingErrno error
	// InUseErrno is the OS error that OpenAt on a taken address matches
	// besides transport.ErrAddrInUse; nil to check none (uxd finds a live
	// socket before it binds).
	InUseErrno error

	// NoSource is set for transports whose datagrams carry no source
	// address (mailslots): a reply then goes to the Resolve-d LocalAddr.
	NoSource bool
	// ShortRead is what a ReadFrom into a buffer shorter than the
	// datagram matches: transport.ErrDatagramTooLarge, or io.ErrShortBuffer.
	ShortRead error
	// EmptyRefused, when not nil, is what sending a zero-length datagram
	// fails with; nil means one is delivered as an empty datagram.
	EmptyRefused error
}

// Run runs the suite's subtests on tr.
func Run(t *testing.T, tr Transport) {
	s := &suite{Transport: tr}
	for _, c := range []struct {
		name string
		fn   func(*testing.T)
	}{
		{"WouldBlock", s.wouldBlock},
		{"RoundTrip", s.roundTrip},
		{"Empty", s.empty},
		{"ReadDeadline", s.readDeadline},
		{"WriteDeadline", s.writeDeadline},
		{"Close", s.close},
		{"Reopen", s.reopen},
		{"Concurrent", s.concurrent},
		{"TooLarge", s.tooLarge},
		{"NoDestination", s.noDestination},
		{"AddrInUse", s.addrInUse},
		{"BadDestination", s.badDestination},
		{"Gather", s.gather},
		{"Scatter", s.scatter},
	} {
		t.Run(c.name, c.fn)
	}
}

// Opener adapts a transport's Open, which returns its own *Peer, to
// Transport.OpenAt; a failed open gives a nil Conn, not a nil *Peer in one.
func Opener[C Conn](open func(addr string) (C, error)) func(addr string) (Conn, error) {
	return func(addr string) (Conn, error) {
		c, err := open(addr)
		if err != nil {
			return nil, err
		}
		return c, nil
	}
}

type suite struct{ Transport }

// fresh opens an endpoint at a Fresh address; the caller closes it.
func (s *suite) fresh(t *testing.T) Conn {
	t.Helper()
	c, err := s.OpenAt(s.Fresh(t))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return c
}

// open opens an endpoint that the test's end closes.
func (s *suite) open(t *testing.T) Conn {
	t.Helper()
	c := s.fresh(t)
	t.Cleanup(func() { c.Close() })
	return c
}

// opError checks that err is a *net.OpError of op, the transport's Net,
// from local and, when dst is not nil, to dst.
func (s *suite) opError(t *testing.T, what string, err error, op string, local, dst net.Addr) {
	t.Helper()
	var oe *net.OpError
	if !errors.As(err, &oe) {
		t.Errorf("%s: %T %v, want a *net.OpError", what, err, err)
		return
	}
	if oe.Op != op || oe.Net != s.Net {
		t.Errorf("%s: Op %q Net %q, want %q %q (%v)", what, oe.Op, oe.Net, op, s.Net, err)
	}
	if local != nil && (oe.Source == nil || oe.Source.String() != local.String()) {
		t.Errorf("%s: Source %v, want %v", what, oe.Source, local)
	}
	if dst != nil && (oe.Addr == nil || oe.Addr.String() != dst.String()) {
		t.Errorf("%s: Addr %v, want %v", what, oe.Addr, dst)
	}
}

// timeout checks a passed deadline's error.
func (s *suite) timeout(t *testing.T, what string, err error, op string, local net.Addr) {
	t.Helper()
	var ne net.Error
	if !errors.Is(err, os.ErrDeadlineExceeded) || !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("%s: %v, want a timeout matching os.ErrDeadlineExceeded", what, err)
	}
	s.opError(t, what, err, op, local, nil)
}

// receive polls c.Receive until a datagram arrives and returns a copy.
func receive(t *testing.T, c Conn) ([]byte, net.Addr) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		data, src, err := c.Receive()
		if errors.Is(err, transport.ErrWouldBlock) {
			if time.Now().After(deadline) {
				t.Fatal("Receive: nothing arrived in 10s")
			}
			time.Sleep(100 * time.Microsecond)
			continue
		}
		if err != nil {
			t.Fatalf("Receive: %v", err)
		}
		return bytes.Clone(data), src
	}
}

func send(t *testing.T, from Conn, data []byte, to net.Addr) {
	t.Helper()
	if n, err := from.Send(data, to); err != nil || n != len(data) {
		t.Fatalf("Send %d bytes to %v: %d, %v", len(data), to, n, err)
	}
}

func (s *suite) resolve(t *testing.T, a net.Addr) net.Addr {
	t.Helper()
	r, err := s.Resolve(a.String())
	if err != nil || r.String() != a.String() {
		t.Fatalf("Resolve(%q) = %v, %v", a.String(), r, err)
	}
	return r
}

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>8)
	}
	return b
}

// wouldBlock: an empty endpoint's Receive says so, in the error shape.
func (s *suite) wouldBlock(t *testing.T) {
	c := s.open(t)
	data, src, err := c.Receive()
	if !errors.Is(err, transport.ErrWouldBlock) || data != nil || src != nil {
		t.Fatalf("Receive on empty = %q, %v, %v; want ErrWouldBlock", data, src, err)
	}
	s.opError(t, "Receive on empty", err, "read", c.LocalAddr(), nil)
}

// roundTrip: datagrams of several sizes both ways, through both sides; a
// datagram's source, or the Resolve-d LocalAddr, is where the reply goes.
func (s *suite) roundTrip(t *testing.T) {
	a, b := s.open(t), s.open(t)
	dst := s.resolve(t, b.LocalAddr())
	for _, n := range []int{1, 100, 1240, a.MaxDatagramSize()} {
		if n > a.MaxDatagramSize() {
			continue
		}
		msg := pattern(n)
		send(t, a, msg, dst)
		data, src := receive(t, b)
		if !bytes.Equal(data, msg) {
			t.Fatalf("Receive: %d bytes, want %d (byte-exact)", len(data), n)
		}
		if s.NoSource {
			if src != nil {
				t.Fatalf("source %v, want nil", src)
			}
			src = s.resolve(t, a.LocalAddr())
		} else if src == nil || src.String() != a.LocalAddr().String() {
			t.Fatalf("source %v, want %v", src, a.LocalAddr())
		}
		s.resolve(t, src)
		if k, err := b.WriteTo(msg, src); err != nil || k != n {
			t.Fatalf("WriteTo %d bytes back to %v: %d, %v", n, src, k, err)
		}
		buf := make([]byte, n)
		k, from, err := a.ReadFrom(buf)
		if err != nil || k != n || !bytes.Equal(buf, msg) {
			t.Fatalf("ReadFrom %d bytes: %d, %v", n, k, err)
		}
		if !s.NoSource && (from == nil || from.String() != b.LocalAddr().String()) {
			t.Fatalf("ReadFrom source %v, want %v", from, b.LocalAddr())
		}
	}
	// A buffer shorter than the datagram.
	send(t, a, []byte("0123456789"), dst)
	buf := make([]byte, 4)
	n, _, err := b.ReadFrom(buf)
	if n != 4 || string(buf) != "0123" || !errors.Is(err, s.ShortRead) {
		t.Fatalf("ReadFrom into 4 bytes = %d %q, %v; want 4 \"0123\", %v", n, buf[:n], err, s.ShortRead)
	}
	s.opError(t, "short ReadFrom", err, "read", b.LocalAddr(), nil)
}

// empty: a zero-length datagram is delivered as a non-nil empty slice, or
// refused where the transport says so.
func (s *suite) empty(t *testing.T) {
	a, b := s.open(t), s.open(t)
	_, err := a.Send(nil, b.LocalAddr())
	if s.EmptyRefused != nil {
		if !errors.Is(err, s.EmptyRefused) {
			t.Fatalf("Send of nothing: %v, want %v", err, s.EmptyRefused)
		}
		s.opError(t, "Send of nothing", err, "write", a.LocalAddr(), b.LocalAddr())
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	send(t, a, []byte("next"), b.LocalAddr())
	if data, _ := receive(t, b); data == nil || len(data) != 0 {
		t.Fatalf("empty datagram = %#v, want a non-nil empty slice", data)
	}
	if data, _ := receive(t, b); string(data) != "next" {
		t.Fatalf("after the empty datagram: %q", data)
	}
}

func (s *suite) readDeadline(t *testing.T) {
	c := s.open(t)
	buf := make([]byte, 100)
	local := c.LocalAddr()

	// Past: fails at once, even with a datagram waiting; Receive ignores it.
	send(t, c, []byte("waiting"), local)
	if err := c.SetReadDeadline(time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	_, _, err := c.ReadFrom(buf)
	s.timeout(t, "ReadFrom past the deadline", err, "read", local)
	if data, _ := receive(t, c); string(data) != "waiting" {
		t.Fatalf("Receive past the read deadline = %q", data)
	}
	// It survives Reopen.
	if err := c.Reopen(); err != nil {
		t.Fatal(err)
	}
	_, _, err = c.ReadFrom(buf)
	s.timeout(t, "ReadFrom past the deadline after Reopen", err, "read", local)

	// Cleared.
	if err := c.SetReadDeadline(time.Time{}); err != nil {
		t.Fatal(err)
	}
	send(t, c, []byte("cleared"), local)
	if n, _, err := c.ReadFrom(buf); err != nil || string(buf[:n]) != "cleared" {
		t.Fatalf("ReadFrom without deadline = %q, %v", buf[:n], err)
	}

	// Future: waits until then.
	start := time.Now()
	if err := c.SetReadDeadline(start.Add(50 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	_, _, err = c.ReadFrom(buf)
	s.timeout(t, "ReadFrom until the deadline", err, "read", local)
	if d := time.Since(start); d < 40*time.Millisecond || d > 5*time.Second {
		t.Errorf("ReadFrom with a 50ms deadline returned after %v", d)
	}

	// Set while ReadFrom waits: it reaches the waiting call.
	c.SetReadDeadline(time.Time{})
	done := make(chan error, 1)
	go func() {
		_, _, err := c.ReadFrom(make([]byte, 10))
		done <- err
	}()
	time.Sleep(30 * time.Millisecond)
	if err := c.SetReadDeadline(time.Now()); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		s.timeout(t, "ReadFrom after a deadline set while it waited", err, "read", local)
	case <-time.After(5 * time.Second):
		t.Fatal("a deadline set while ReadFrom waited did not end it")
	}
}

func (s *suite) writeDeadline(t *testing.T) {
	a, b := s.open(t), s.open(t)
	dst := b.LocalAddr()
	if err := a.SetWriteDeadline(time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	_, err := a.WriteTo([]byte("late"), dst)
	s.timeout(t, "WriteTo past the deadline", err, "write", a.LocalAddr())
	s.opError(t, "WriteTo past the deadline", err, "write", a.LocalAddr(), dst)
	send(t, a, []byte("Send ignores it"), dst)
	if data, _ := receive(t, b); string(data) != "Send ignores it" {
		t.Fatalf("received %q", data)
	}
	for _, dl := range []time.Time{time.Now().Add(time.Minute), {}} {
		if err := a.SetWriteDeadline(dl); err != nil {
			t.Fatal(err)
		}
		if _, err := a.WriteTo([]byte("in time"), dst); err != nil {
			t.Fatalf("WriteTo with deadline %v: %v", dl, err)
		}
		if data, _ := receive(t, b); string(data) != "in time" {
			t.Fatalf("received %q", data)
		}
	}
}

// close: blocked ReadFroms return promptly with net.ErrClosed, every
// method after Close does too, and no goroutine is left.
func (s *suite) close(t *testing.T) {
	before := runtime.NumGoroutine()
	c := s.fresh(t)
	local := c.LocalAddr()
	const readers = 2
	done := make(chan error, readers)
	for range readers {
		go func() {
			_, _, err := c.ReadFrom(make([]byte, 10))
			done <- err
		}()
	}
	time.Sleep(30 * time.Millisecond) // let them block
	start := time.Now()
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for range readers {
		select {
		case err := <-done:
			if !errors.Is(err, net.ErrClosed) {
				t.Fatalf("blocked ReadFrom after Close: %v, want net.ErrClosed", err)
			}
			s.opError(t, "blocked ReadFrom after Close", err, "read", local, nil)
		case <-time.After(5 * time.Second):
			t.Fatal("Close did not end a blocked ReadFrom")
		}
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("blocked ReadFroms took %v to return after Close", d)
	}
	_, _, err := c.ReadFrom(make([]byte, 10))
	s.closed(t, "ReadFrom", err, "read", local, nil)
	_, _, err = c.Receive()
	s.closed(t, "Receive", err, "read", local, nil)
	_, err = c.WriteTo([]byte("x"), local)
	s.closed(t, "WriteTo", err, "write", local, local)
	_, err = c.Send([]byte("x"), local)
	s.closed(t, "Send", err, "write", local, local)
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	NoLeak(t, before)
}

func (s *suite) closed(t *testing.T, what string, err error, op string, local, dst net.Addr) {
	t.Helper()
	if !errors.Is(err, net.ErrClosed) {
		t.Errorf("%s after Close: %v, want net.ErrClosed", what, err)
	}
	s.opError(t, what+" after Close", err, op, local, dst)
}

// NoLeak waits for the goroutine count to come back to n, and fails t
// with every goroutine's stack if it does not.
func NoLeak(t testing.TB, n int) {
	t.Helper()
	for range 1000 {
		if runtime.NumGoroutine() <= n {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	buf := make([]byte, 1<<20)
	t.Errorf("%d goroutines left, %d before:\n%s", runtime.NumGoroutine(), n, buf[:runtime.Stack(buf, true)])
}

// reopen: the address stays; a ReadFrom blocked across Reopen reads from
// the new endpoint; Reopen after Close revives the peer.
func (s *suite) reopen(t *testing.T) {
	c := s.open(t)
	addr := c.LocalAddr().String()
	got := make(chan string, 1)
	go func() {
		buf := make([]byte, 100)
		n, _, err := c.ReadFrom(buf)
		if err != nil {
			got <- err.Error()
			return
		}
		got <- string(buf[:n])
	}()
	time.Sleep(30 * time.Millisecond)
	if err := c.Reopen(); err != nil {
		t.Fatalf("Reopen: %v", err)
	}
	if c.LocalAddr().String() != addr {
		t.Fatalf("LocalAddr after Reopen %v, want %s", c.LocalAddr(), addr)
	}
	send(t, c, []byte("new endpoint"), c.LocalAddr())
	select {
	case s := <-got:
		if s != "new endpoint" {
			t.Fatalf("ReadFrom across Reopen = %q", s)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ReadFrom across Reopen never returned")
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Reopen(); err != nil {
		t.Fatalf("Reopen after Close: %v", err)
	}
	if c.LocalAddr().String() != addr {
		t.Fatalf("LocalAddr after Reopen %v, want %s", c.LocalAddr(), addr)
	}
	send(t, c, []byte("revived"), c.LocalAddr())
	if data, _ := receive(t, c); string(data) != "revived" {
		t.Fatalf("received %q", data)
	}
}

// concurrent: several goroutines send through one endpoint with WriteTo
// and Send while several read from another with ReadFrom and Receive. The
// datagrams are few and small, far below any queue's limits with readers
// running, so none is lost, even over UDP loopback.
func (s *suite) concurrent(t *testing.T) {
	tx, rx := s.open(t), s.open(t)
	dst := rx.LocalAddr()
	const writers, each, total = 4, 50, 4 * 50
	var (
		mu       sync.Mutex
		seen     = map[[2]uint64]bool{}
		count    atomic.Int64
		problems = make(chan error, 16)
		wg       sync.WaitGroup
	)
	report := func(err error) {
		select {
		case problems <- err:
		default:
		}
	}
	record := func(data []byte) {
		if len(data) != 9 {
			report(errors.New("a datagram of the wrong length"))
			return
		}
		key := [2]uint64{uint64(data[0]), binary.BigEndian.Uint64(data[1:])}
		mu.Lock()
		dup := seen[key]
		seen[key] = true
		mu.Unlock()
		if dup || key[0] >= writers || key[1] >= each {
			report(errors.New("an unexpected or duplicate datagram"))
		}
		if count.Add(1) == total {
			rx.SetReadDeadline(time.Now()) // wake the other readers
		}
	}
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				msg := binary.BigEndian.AppendUint64([]byte{byte(w)}, uint64(i))
				var err error
				if w%2 == 0 {
					_, err = tx.WriteTo(msg, dst)
				} else {
					for {
						if _, err = tx.Send(msg, dst); !errors.Is(err, transport.ErrWouldBlock) {
							break
						}
						time.Sleep(100 * time.Microsecond)
					}
				}
				if err != nil {
					report(err)
					return
				}
			}
		})
	}
	for range 2 {
		wg.Go(func() {
			buf := make([]byte, 16)
			for count.Load() < total {
				n, _, err := rx.ReadFrom(buf)
				if err != nil {
					if !errors.Is(err, os.ErrDeadlineExceeded) {
						report(err)
					}
					return
				}
				record(buf[:n])
			}
		})
	}
	wg.Go(func() {
		for count.Load() < total {
			data, _, err := rx.Receive()
			switch {
			case errors.Is(err, transport.ErrWouldBlock):
				time.Sleep(100 * time.Microsecond)
			case err != nil:
				report(err)
				return
			default:
				record(data)
			}
		}
	})
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case err := <-problems:
		t.Fatal(err)
	case <-time.After(30 * time.Second):
		t.Fatalf("%d of %d datagrams after 30s", count.Load(), total)
	}
	select {
	case err := <-problems:
		t.Fatal(err)
	default:
	}
	if n := count.Load(); n != total {
		t.Fatalf("%d datagrams, want %d", n, total)
	}
}

// tooLarge: one byte over MaxDatagramSize is refused by Send and WriteTo.
func (s *suite) tooLarge(t *testing.T) {
	a, b := s.open(t), s.open(t)
	max := a.MaxDatagramSize()
	for name, send := range map[string]func([]byte, net.Addr) (int, error){"Send": a.Send, "WriteTo": a.WriteTo} {
		_, err := send(make([]byte, max+1), b.LocalAddr())
		var tl *transport.DatagramTooLargeError
		if !errors.Is(err, transport.ErrDatagramTooLarge) || !errors.As(err, &tl) || tl.Size != max+1 || tl.Max != max {
			t.Errorf("%s of %d bytes: %v, want a DatagramTooLargeError{%d, %d}", name, max+1, err, max+1, max)
		}
		s.opError(t, name+" too large", err, "write", a.LocalAddr(), b.LocalAddr())
	}
	send(t, a, []byte("still fine"), b.LocalAddr())
	if data, _ := receive(t, b); string(data) != "still fine" {
		t.Fatalf("received %q", data)
	}
}

func (s *suite) noDestination(t *testing.T) {
	if s.Missing == nil {
		t.Skip("the transport cannot tell that nothing is bound at a destination")
	}
	a := s.open(t)
	missing := s.Missing(t)
	for name, send := range map[string]func([]byte, net.Addr) (int, error){"Send": a.Send, "WriteTo": a.WriteTo} {
		_, err := send([]byte("x"), missing)
		if !errors.Is(err, transport.ErrNoDestination) || s.MissingErrno != nil && !errors.Is(err, s.MissingErrno) {
			t.Errorf("%s to %v: %v, want ErrNoDestination and %v", name, missing, err, s.MissingErrno)
		}
		s.opError(t, name+" to a missing destination", err, "write", a.LocalAddr(), missing)
	}
	send(t, a, []byte("still fine"), a.LocalAddr())
	if data, _ := receive(t, a); string(data) != "still fine" {
		t.Fatalf("received %q", data)
	}
}

func (s *suite) addrInUse(t *testing.T) {
	a := s.open(t)
	addr := a.LocalAddr()
	c, err := s.OpenAt(addr.String())
	if err == nil {
		c.Close()
		t.Fatalf("a second endpoint opened at %v", addr)
	}
	if !errors.Is(err, transport.ErrAddrInUse) || s.InUseErrno != nil && !errors.Is(err, s.InUseErrno) {
		t.Errorf("second Open at %v: %v, want ErrAddrInUse and %v", addr, err, s.InUseErrno)
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Source != nil {
		t.Errorf("Open error has Source %v; a listen error names only Addr", oe.Source)
	}
	s.opError(t, "second Open", err, "listen", nil, addr)
	send(t, a, []byte("still mine"), addr)
	if data, _ := receive(t, a); string(data) != "still mine" {
		t.Fatalf("received %q", data)
	}
}

// badDestination: no address at all is an error in the shape too.
func (s *suite) badDestination(t *testing.T) {
	a := s.open(t)
	for name, send := range map[string]func([]byte, net.Addr) (int, error){"Send": a.Send, "WriteTo": a.WriteTo} {
		_, err := send([]byte("x"), nil)
		if err == nil {
			t.Errorf("%s to nil succeeded", name)
			continue
		}
		s.opError(t, name+" to nil", err, "write", a.LocalAddr(), nil)
	}
}
