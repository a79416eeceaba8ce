package udp

import (
	"errors"
	"net"
	"os"

	"github.com/memogram/memogram/transport"
)

// opError names the operation and the address, and implements net.Error so
// that callers written for the net package (err.(net.Error).Timeout()) work.
type opError struct {
	op   string // "send to", "receive on", ...
	addr string
	err  error
}

func (e *opError) Error() string   { return "udp: " + e.op + " " + e.addr + ": " + e.err.Error() }
func (e *opError) Unwrap() error   { return e.err }
func (e *opError) Timeout() bool   { return errors.Is(e.err, os.ErrDeadlineExceeded) }
func (e *opError) Temporary() bool { return e.Timeout() }

// kindError joins a transport sentinel (or *transport.DatagramTooLargeError)
// with the OS error behind it, so that errors.Is matches both.
type kindError struct {
	kind  error
	cause error
}

func (e *kindError) Error() string   { return e.kind.Error() + ": " + e.cause.Error() }
func (e *kindError) Unwrap() []error { return []error{e.kind, e.cause} }

// cause strips the net package's *net.OpError and *os.SyscallError layers:
// opError already names the operation and address.
func cause(err error) error {
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

// sendError classifies a failed send to dst.
func sendError(op, dst string, size, maxSize int, err error) error {
	err = cause(err)
	switch {
	case errors.Is(err, net.ErrClosed), errors.Is(err, os.ErrDeadlineExceeded):
	case wouldBlock(err):
		err = &kindError{transport.ErrWouldBlock, err}
	case noDestination(err):
		err = &kindError{transport.ErrNoDestination, err}
	case tooBig(err):
		err = &kindError{&transport.DatagramTooLargeError{Size: size, Max: maxSize}, err}
	}
	return &opError{op: op, addr: dst, err: err}
}
