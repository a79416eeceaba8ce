package udp_test

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/memogram/memogram/transport"
	"github.com/memogram/memogram/udp"
)

// TestICMPUnreachableSkipped turns the reporting of ICMP errors for
// earlier datagrams on (Go leaves it off on Linux and turns it off on
// Windows; enableICMPErrors is per platform), sends to a closed port, and
// checks that the error which then surfaces on receive (ECONNREFUSED on
// Linux, WSAECONNRESET on Windows) reads as "nothing received" on both
// Receive and ReadFrom and leaves the peer working (HIO-DEFECTS R5). The
// memo engine relies on it: it knows no errno.
func TestICMPUnreachableSkipped(t *testing.T) {
	a := open(t, udp.Config{Addr: "127.0.0.1:0"})
	gone := open(t, udp.Config{Addr: "127.0.0.1:0"})
	dead := gone.LocalAddr()
	gone.Close()
	var err error
	if cerr := udp.RawConn(a).Control(func(fd uintptr) { err = enableICMPErrors(fd) }); cerr != nil || err != nil {
		t.Skipf("cannot turn ICMP error reporting on: %v %v", cerr, err)
	}
	for range 3 {
		if _, err := a.Send([]byte("x"), dead); err != nil && !errors.Is(err, transport.ErrNoDestination) {
			t.Fatalf("Send to a closed port: %v", err)
		}
		// The ICMP error comes back asynchronously; poll a while. (Wine 8
		// reports none, so there this only shows that nothing else breaks.)
		for range 10 {
			if _, _, err := a.Receive(); !errors.Is(err, transport.ErrWouldBlock) {
				t.Fatalf("Receive after a port unreachable: %v, want ErrWouldBlock", err)
			}
			time.Sleep(2 * time.Millisecond)
		}
		if _, err := a.WriteTo([]byte("x"), dead); err != nil && !errors.Is(err, transport.ErrNoDestination) {
			t.Fatalf("WriteTo a closed port: %v", err)
		}
		a.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
		if _, _, err := a.ReadFrom(make([]byte, 10)); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("ReadFrom after a port unreachable: %v, want a timeout", err)
		}
	}
	a.SetReadDeadline(time.Time{})
	if _, err := a.Send([]byte("still working"), a.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 20)
	if n, _, err := a.ReadFrom(buf); err != nil || string(buf[:n]) != "still working" {
		t.Fatalf("ReadFrom = %q, %v", buf[:n], err)
	}
}
