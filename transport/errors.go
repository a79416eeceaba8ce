package transport

import (
	"errors"
	"fmt"
)

var (
	// ErrNoDestination means the destination address has no live endpoint:
	// no such socket file or mailslot, or nothing bound to it.
	ErrNoDestination = errors.New("destination does not exist")

	// ErrAddrInUse means the local address is already taken by a live
	// endpoint.
	ErrAddrInUse = errors.New("address in use")

	// ErrDatagramTooLarge is matched (errors.Is) by every *DatagramTooLargeError.
	ErrDatagramTooLarge = errors.New("datagram too large")

	// ErrUnsupported is returned by transports that do not exist on this
	// operating system (mailslots outside Windows). It matches
	// errors.ErrUnsupported too.
	ErrUnsupported = fmt.Errorf("transport not supported on this OS: %w", errors.ErrUnsupported)

	// ErrWouldBlock is returned by the non-blocking Peer methods Receive and
	// Send when nothing can be moved right now. hio returns an empty result
	// in that case; memogram says so explicitly.
	ErrWouldBlock = errors.New("operation would block")
)

// DatagramTooLargeError reports a datagram longer than what the transport or
// the configured gram size can carry. It matches ErrDatagramTooLarge.
type DatagramTooLargeError struct {
	Size int // length of the datagram that was refused
	Max  int // the largest datagram this endpoint carries
}

func (e *DatagramTooLargeError) Error() string {
	return fmt.Sprintf("datagram of %d bytes exceeds the maximum of %d", e.Size, e.Max)
}

// Is makes errors.Is(err, ErrDatagramTooLarge) true.
func (e *DatagramTooLargeError) Is(target error) bool { return target == ErrDatagramTooLarge }
