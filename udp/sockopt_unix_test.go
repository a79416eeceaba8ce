//go:build unix

package udp_test

import (
	"testing"

	"golang.org/x/sys/unix"

	"github.com/memogram/memogram/udp"
)

func broadcast(t *testing.T, p *udp.Peer) bool {
	t.Helper()
	var v int
	var err error
	if cerr := udp.RawConn(p).Control(func(fd uintptr) {
		v, err = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_BROADCAST)
	}); cerr != nil {
		t.Fatal(cerr)
	}
	if err != nil {
		t.Fatal(err)
	}
	return v != 0
}

// addrInUse is the errno of a bind to a taken address.
var addrInUse error = unix.EADDRINUSE
