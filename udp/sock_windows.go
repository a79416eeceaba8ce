package udp

import (
	"errors"

	"golang.org/x/sys/windows"
)

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
