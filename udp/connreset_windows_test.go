package udp_test

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// enableICMPErrors turns SIO_UDP_CONNRESET back on (Go turns it off), with
// which Windows reports an ICMP port unreachable for an earlier datagram as
// WSAECONNRESET on a later receive.
func enableICMPErrors(fd uintptr) error {
	on, n := uint32(1), uint32(0)
	return windows.WSAIoctl(windows.Handle(fd), syscall.SIO_UDP_CONNRESET, (*byte)(unsafe.Pointer(&on)), 4, nil, 0, &n, nil, 0)
}
