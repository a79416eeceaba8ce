package dgram

import (
	"errors"

	"golang.org/x/sys/windows"
)

// wouldBlock lists hio's would-block conditions: the datagram was not taken
// but may be later (HIO-DEFECTS T1).
func wouldBlock(err error) bool {
	return errors.Is(err, windows.WSAEWOULDBLOCK) || errors.Is(err, windows.WSAENOBUFS)
}

// AddrInUse reports a bind to an address another socket holds.
func AddrInUse(err error) bool { return errors.Is(err, windows.WSAEADDRINUSE) }

// TooBig reports a datagram the stack refuses or cuts for its size.
func TooBig(err error) bool { return errors.Is(err, windows.WSAEMSGSIZE) }
