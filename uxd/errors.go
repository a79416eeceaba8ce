package uxd

import (
	"errors"
	"net"
	"os"
	"syscall"

	"github.com/memogram/memogram/transport"
)

// ErrPathTooLong is matched by the error Open returns when the socket path
// does not fit the kernel's sun_path (PathMax bytes; HIO-DEFECTS U5).
var ErrPathTooLong = errors.New("socket path too long")

// opError names the operation and the address, and implements net.Error so
// that callers written for the net package (err.(net.Error).Timeout()) work.
type opError struct {
	op   string // "send to", "receive on", ...
	addr string
	err  error
}

func (e *opError) Error() string   { return "uxd: " + e.op + " " + e.addr + ": " + e.err.Error() }
func (e *opError) Unwrap() error   { return e.err }
func (e *opError) Timeout() bool   { return errors.Is(e.err, os.ErrDeadlineExceeded) }
func (e *opError) Temporary() bool { return e.Timeout() }

// kindError joins a transport sentinel (or *transport.DatagramTooLargeError)
// with the OS error behind it, so that errors.Is matches both, e.g.
// transport.ErrNoDestination and syscall.ENOENT.
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

// wouldBlock lists hio's would-block conditions: the datagram was not taken
// but may be later (HIO-DEFECTS T1).
func wouldBlock(err error) bool {
	return errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EWOULDBLOCK) ||
		errors.Is(err, syscall.ENOBUFS) || errors.Is(err, syscall.ENOMEM)
}

// sendError classifies a failed send to dst.
func sendError(op, dst string, size, maxSize int, err error) error {
	err = cause(err)
	switch {
	case errors.Is(err, net.ErrClosed), errors.Is(err, os.ErrDeadlineExceeded):
	case wouldBlock(err):
		err = &kindError{transport.ErrWouldBlock, err}
	case errors.Is(err, syscall.ENOENT), errors.Is(err, syscall.ECONNREFUSED):
		err = &kindError{transport.ErrNoDestination, err}
	case errors.Is(err, syscall.EMSGSIZE):
		err = &kindError{&transport.DatagramTooLargeError{Size: size, Max: maxSize}, err}
	}
	return &opError{op: op, addr: dst, err: err}
}
