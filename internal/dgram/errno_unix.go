//go:build unix

package dgram

import (
	"errors"

	"golang.org/x/sys/unix"
)

// wouldBlock lists hio's would-block conditions: the datagram was not taken
// but may be later (HIO-DEFECTS T1). ENOBUFS and ENOMEM are a full send
// buffer or memory pressure, not a failure of the destination.
func wouldBlock(err error) bool {
	return errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EWOULDBLOCK) ||
		errors.Is(err, unix.ENOBUFS) || errors.Is(err, unix.ENOMEM)
}

// AddrInUse reports a bind to an address another socket holds.
func AddrInUse(err error) bool { return errors.Is(err, unix.EADDRINUSE) }

// TooBig reports a datagram the kernel refuses or cuts for its size.
func TooBig(err error) bool { return errors.Is(err, unix.EMSGSIZE) }
