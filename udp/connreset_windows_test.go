package udp_test

import (
	"errors"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/memogram/memogram/transport"
	"github.com/memogram/memogram/udp"
)

// TestConnResetIsTransient turns Windows' reporting of ICMP port
// unreachable back on (Go turns it off) and checks that the resulting
// WSAECONNRESET on receive reads as "nothing received" (HIO-DEFECTS R5).
func TestConnResetIsTransient(t *testing.T) {
	a := open(t, udp.Config{Addr: "127.0.0.1:0"})
	gone := open(t, udp.Config{Addr: "127.0.0.1:0"})
	dead := gone.LocalAddr()
	gone.Close()
	var err error
	if cerr := udp.RawConn(a).Control(func(fd uintptr) {
		on, n := uint32(1), uint32(0)
		err = windows.WSAIoctl(windows.Handle(fd), syscall.SIO_UDP_CONNRESET, (*byte)(unsafe.Pointer(&on)), 4, nil, 0, &n, nil, 0)
	}); cerr != nil || err != nil {
		t.Skipf("cannot enable SIO_UDP_CONNRESET: %v %v", cerr, err)
	}
	if _, err := a.Send([]byte("x"), dead); err != nil && !errors.Is(err, transport.ErrNoDestination) {
		t.Fatalf("Send to a closed port: %v", err)
	}
	// The ICMP error comes back asynchronously; poll a while. (Wine 8
	// reports none, so there this only shows that nothing else breaks.)
	for range 20 {
		if _, _, err := a.Receive(); !errors.Is(err, transport.ErrWouldBlock) {
			t.Fatalf("Receive after a port unreachable: %v, want ErrWouldBlock", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	roundTrip(t, a, a, []byte("still working"))
}
