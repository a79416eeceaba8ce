//go:build !linux

package dgram

import "syscall"

// kernelDrops is Linux's SO_MEMINFO; elsewhere the kernel does not say.
func kernelDrops(syscall.RawConn) (uint64, bool) { return 0, false }
