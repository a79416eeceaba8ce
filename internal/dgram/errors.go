package dgram

import (
	"errors"
	"net"
	"os"

	"github.com/memogram/memogram/transport"
)

// OpError returns err in the shape of the net package's errors, a
// *net.OpError: op is "read", "write", "listen" or "close", network the
// transport's ("unixgram", "udp4", "udp6"), src the local address and addr
// the remote one. A nil address, also a nil pointer in a net.Addr, is left
// out. Its Timeout is err's, so err should be os.ErrDeadlineExceeded
// itself when a deadline passed.
func OpError(op, network string, src, addr net.Addr, err error) error {
	return &net.OpError{Op: op, Net: network, Source: present(src), Addr: present(addr), Err: err}
}

// present returns a, or an untyped nil for a nil pointer in a net.Addr.
func present(a net.Addr) net.Addr {
	switch a := a.(type) {
	case *net.UnixAddr:
		if a == nil {
			return nil
		}
	case *net.UDPAddr:
		if a == nil {
			return nil
		}
	}
	return a
}

// Kind joins a transport sentinel (or *transport.DatagramTooLargeError)
// with the OS error behind it, so that errors.Is matches both, e.g.
// transport.ErrNoDestination and syscall.ENOENT.
func Kind(kind, cause error) error { return &kindError{kind, cause} }

type kindError struct {
	kind  error
	cause error
}

func (e *kindError) Error() string   { return e.kind.Error() + ": " + e.cause.Error() }
func (e *kindError) Unwrap() []error { return []error{e.kind, e.cause} }

// Cause strips the net package's *net.OpError and *os.SyscallError layers:
// the transport's own *net.OpError names the operation and addresses.
func Cause(err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) {
		err = oe.Err
	}
	var se *os.SyscallError
	if errors.As(err, &se) {
		err = se.Err
	}
	return err
}

// sendError classifies a failed send to dst for errors.Is: would block
// (hio's T1), no destination (which errors mean that differs per transport
// and platform), or too large; closing and deadlines stay as they are.
func (c *Core[D]) sendError(dst net.Addr, size, maxSize int, err error) error {
	err = Cause(err)
	switch {
	case errors.Is(err, net.ErrClosed), errors.Is(err, os.ErrDeadlineExceeded):
	case wouldBlock(err):
		err = Kind(transport.ErrWouldBlock, err)
	case c.spec.NoDestination(err):
		err = Kind(transport.ErrNoDestination, err)
	case TooBig(err):
		err = Kind(&transport.DatagramTooLargeError{Size: size, Max: maxSize}, err)
	}
	return c.opError("write", dst, err)
}

// tooLarge reports a datagram over the socket's maximum, found before any
// syscall.
func (c *Core[D]) tooLarge(dst net.Addr, size, maxSize int) error {
	return c.opError("write", dst, &transport.DatagramTooLargeError{Size: size, Max: maxSize})
}
