package dgram

import (
	"errors"
	"net"
	"os"

	"github.com/memogram/memogram/transport"
)

// OpError names the operation and the address, and implements net.Error so
// that callers written for the net package (err.(net.Error).Timeout()) work.
type OpError struct {
	Pkg  string // the transport, "uxd" or "udp": the message's prefix
	Op   string // "send to", "receive on", ...
	Addr string
	Err  error
}

func (e *OpError) Error() string   { return e.Pkg + ": " + e.Op + " " + e.Addr + ": " + e.Err.Error() }
func (e *OpError) Unwrap() error   { return e.Err }
func (e *OpError) Timeout() bool   { return errors.Is(e.Err, os.ErrDeadlineExceeded) }
func (e *OpError) Temporary() bool { return e.Timeout() }

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
// OpError already names the operation and address.
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
func (c *Core[D]) sendError(op, dst string, size, maxSize int, err error) error {
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
	return c.opError(op, dst, err)
}

// tooLarge reports a datagram over the socket's maximum, found before any
// syscall.
func (c *Core[D]) tooLarge(op, dst string, size, maxSize int) error {
	return c.opError(op, dst, &transport.DatagramTooLargeError{Size: size, Max: maxSize})
}
