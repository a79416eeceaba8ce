package udp

import (
	"errors"
	"net"
	"strconv"

	"github.com/memogram/memogram/internal/dgram"
)

var errFamily = errors.New("destination address family differs from the socket's")

// ip4 returns a's IPv4 address for an IPv4 socket.
func ip4(a *net.UDPAddr) ([4]byte, error) {
	ip := a.IP.To4()
	if ip == nil {
		return [4]byte{}, errFamily
	}
	return [4]byte(ip), nil
}

// ip6 returns a's IPv6 address for an IPv6 socket. Go makes udp6 sockets
// IPv6-only, so an IPv4 (or IPv4-mapped) destination cannot be reached.
func ip6(a *net.UDPAddr) ([16]byte, uint32, error) {
	if a.IP.To4() != nil || len(a.IP) != net.IPv6len {
		return [16]byte{}, 0, errFamily
	}
	return [16]byte(a.IP), zoneIndex(a.Zone), nil
}

func zoneIndex(zone string) uint32 {
	if zone == "" {
		return 0
	}
	if n, err := strconv.ParseUint(zone, 10, 32); err == nil {
		return uint32(n)
	}
	if ifi, err := net.InterfaceByName(zone); err == nil {
		return uint32(ifi.Index)
	}
	return 0
}

func zoneName(index uint32) string {
	if index == 0 {
		return ""
	}
	if ifi, err := net.InterfaceByIndex(int(index)); err == nil {
		return ifi.Name
	}
	return strconv.FormatUint(uint64(index), 10)
}

func addr4(ip [4]byte, port int) *net.UDPAddr {
	return &net.UDPAddr{IP: net.IP(ip[:]), Port: port}
}

func addr6(ip [16]byte, port int, zone uint32) *net.UDPAddr {
	return &net.UDPAddr{IP: net.IP(ip[:]), Port: port, Zone: zoneName(zone)}
}

// source is the address of a received datagram's sockaddr; nil (untyped)
// for none.
func source(sa dgram.Sockaddr) net.Addr {
	switch sa := sa.(type) {
	case *dgram.SockaddrInet4:
		return addr4(sa.Addr, sa.Port)
	case *dgram.SockaddrInet6:
		return addr6(sa.Addr, sa.Port, sa.ZoneId)
	}
	return nil
}

// sockaddrs returns the Spec.Sockaddr that turns a destination into a
// sockaddr for a socket of network "udp4" or "udp6": into one value,
// reused, so that sending allocates nothing.
func sockaddrs(network string) func(*net.UDPAddr) (dgram.Sockaddr, error) {
	if network == "udp4" {
		var sa dgram.SockaddrInet4
		return func(dst *net.UDPAddr) (dgram.Sockaddr, error) {
			ip, err := ip4(dst)
			if err != nil {
				return nil, err
			}
			sa = dgram.SockaddrInet4{Addr: ip, Port: dst.Port}
			return &sa, nil
		}
	}
	var sa dgram.SockaddrInet6
	return func(dst *net.UDPAddr) (dgram.Sockaddr, error) {
		ip, zone, err := ip6(dst)
		if err != nil {
			return nil, err
		}
		sa = dgram.SockaddrInet6{Addr: ip, Port: dst.Port, ZoneId: zone}
		return &sa, nil
	}
}
