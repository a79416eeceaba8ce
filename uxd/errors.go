package uxd

import (
	"errors"
	"syscall"

	"github.com/memogram/memogram/internal/dgram"
)

// ErrPathTooLong is matched by the error Open returns when the socket path
// does not fit the kernel's sun_path (PathMax bytes; HIO-DEFECTS U5).
var ErrPathTooLong = errors.New("socket path too long")

// opError names the operation and the address; it is a net.Error.
func opError(op, addr string, err error) error {
	return &dgram.OpError{Pkg: "uxd", Op: op, Addr: addr, Err: err}
}

// noDestination: no file at the path, or a file nobody is bound to.
func noDestination(err error) bool {
	return errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED)
}
