package dgram

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// kernelDrops reads the socket's drop counter (SO_MEMINFO's
// SK_MEMINFO_DROPS): datagrams the kernel discarded because the receive
// buffer was full, since the socket opened.
func kernelDrops(rc syscall.RawConn) (uint64, bool) {
	var info [unix.SK_MEMINFO_VARS]uint32
	var serr error
	err := rc.Control(func(fd uintptr) {
		l := uint32(unsafe.Sizeof(info))
		_, _, e := unix.Syscall6(unix.SYS_GETSOCKOPT, fd, unix.SOL_SOCKET, unix.SO_MEMINFO, uintptr(unsafe.Pointer(&info[0])), uintptr(unsafe.Pointer(&l)), 0)
		if e != 0 {
			serr = e
		}
	})
	if err != nil || serr != nil {
		return 0, false
	}
	return uint64(info[unix.SK_MEMINFO_DROPS]), true
}
