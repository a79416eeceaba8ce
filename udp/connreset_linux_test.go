package udp_test

import "golang.org/x/sys/unix"

// enableICMPErrors sets IP_RECVERR, with which Linux reports an ICMP error
// for an earlier datagram on an unconnected UDP socket as ECONNREFUSED on
// the next receive.
func enableICMPErrors(fd uintptr) error {
	return unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_RECVERR, 1)
}
