//go:build unix

package filer

import "golang.org/x/sys/unix"

const (
	accessR = unix.R_OK
	accessW = unix.W_OK
	accessX = unix.X_OK
)

// access asks the kernel, as Python's os.access does, so that ACLs,
// read-only mounts and root's privileges count.
func access(path string, mode uint32) error { return unix.Access(path, mode) }
