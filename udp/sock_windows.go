package udp

import (
	"errors"
	"net"
	"os"
	"time"

	"golang.org/x/sys/windows"
)

var errAgain error = windows.WSAEWOULDBLOCK

// noDestination: Windows reports an ICMP port unreachable for an earlier
// datagram as a connection reset on a later call.
func noDestination(err error) bool {
	return errors.Is(err, windows.WSAECONNREFUSED) || errors.Is(err, windows.WSAECONNRESET)
}

// transient receive errors report an ICMP error for an earlier send, not a
// problem of this socket (HIO-DEFECTS R5). Go turns their reporting off on
// its sockets, but not every Windows (or Wine) honours that.
func transient(err error) bool {
	return errors.Is(err, windows.WSAECONNRESET) || errors.Is(err, windows.WSAENETRESET)
}

// waitWritable sleeps until then: Go on Windows cannot wait for
// writability (RawConn.Write does not poll), and a full UDP send buffer is
// rare there.
func waitWritable(s *sock, until time.Time) error {
	t := time.NewTimer(time.Until(until))
	defer t.Stop()
	select {
	case <-s.done:
		return net.ErrClosed
	case <-t.C:
		return os.ErrDeadlineExceeded
	}
}
