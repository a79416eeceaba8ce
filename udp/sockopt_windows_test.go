package udp_test

import (
	"testing"

	"golang.org/x/sys/windows"

	"github.com/memogram/memogram/udp"
)

func broadcast(t *testing.T, p *udp.Peer) bool {
	t.Helper()
	var v int
	var err error
	if cerr := udp.RawConn(p).Control(func(fd uintptr) {
		v, err = windows.GetsockoptInt(windows.Handle(fd), windows.SOL_SOCKET, windows.SO_BROADCAST)
	}); cerr != nil {
		t.Fatal(cerr)
	}
	if err != nil {
		t.Fatal(err)
	}
	return v != 0
}

// addrInUse is the errno of a bind to a taken address.
var addrInUse error = windows.WSAEADDRINUSE
