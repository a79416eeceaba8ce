package udp

import (
	"fmt"
	"net"

	"github.com/memogram/memogram/internal/dgram"
	"github.com/memogram/memogram/transport"
)

const (
	// DefaultAddr is hio's default UDP address.
	DefaultAddr = "127.0.0.1:55000"

	// MaxGramSize is hio's UDP MaxGramSize: 1280 bytes, the smallest MTU
	// every IPv6 link carries, less the 40-byte IPv6 header, so a datagram
	// is never fragmented on any path, IPv4 (576-byte minimum reassembly
	// aside) or IPv6. It is the unit of BufCount and the default
	// MaxDatagramSize.
	MaxGramSize = 1240

	// DefaultBufCount is the buffer count of hio's UDP memo peer; with
	// MaxGramSize it gives a buffer size of 1269760 bytes.
	DefaultBufCount = 1024

	// MaxIPv4DatagramSize and MaxIPv6DatagramSize are the largest UDP
	// payloads: 65535 less the IPv4 and UDP headers, and 65535 less the UDP
	// header (IPv6's length field excludes its own header).
	MaxIPv4DatagramSize = 65535 - 20 - 8
	MaxIPv6DatagramSize = 65535 - 8

	// MaxReceiveSize is the largest datagram Receive and ReadFrom accept,
	// whatever MaxDatagramSize is: peers with a raised gram size are
	// understood. They read into a buffer one byte larger, so a longer
	// datagram (an IPv6 jumbogram) is detected and dropped.
	MaxReceiveSize = 65535
)

// Config describes a UDP peer.
type Config struct {
	// Addr is the local host:port, default DefaultAddr. An empty host
	// means all IPv4 interfaces (0.0.0.0), "[::]" all IPv6 ones. The
	// address family follows the address, so "[::1]:6101" is an IPv6
	// socket (hio always uses IPv4, HIO-DEFECTS P1). Port 0 picks a free
	// port at the first open, which Reopen keeps.
	Addr string

	// Broadcast sets SO_BROADCAST (hio's bcast). Go sets it on every UDP
	// socket; memogram clears it unless asked.
	Broadcast bool

	// BufCount and BufSize follow hio's rule: a count > 0 gives a buffer
	// size of BufCount × MaxGramSize; otherwise BufSize, or 65535 when
	// that is 0. Both 0 means DefaultBufCount (1269760 bytes). A negative
	// BufCount turns the default count off. At open SO_SNDBUF and SO_RCVBUF
	// are raised to the buffer size if smaller, never lowered.
	BufCount int
	BufSize  int

	// MaxDatagramSize is the largest datagram Send and WriteTo take,
	// default MaxGramSize (1240). Raise it only for paths known to carry
	// more, such as loopback: larger datagrams are fragmented by IP, and a
	// single lost fragment loses the datagram. At most MaxIPv4DatagramSize
	// or MaxIPv6DatagramSize.
	MaxDatagramSize int

	// WireLog, when not nil, records every datagram sent and received.
	WireLog *transport.WireLog
}

// settings is a validated Config.
type settings struct {
	Config
	addr    *net.UDPAddr
	network string // "udp4" or "udp6"
	bc, bs  int
	max     int
}

func (c Config) settings() (settings, error) {
	s := settings{Config: c}
	if s.Addr == "" {
		s.Addr = DefaultAddr
	}
	a, err := net.ResolveUDPAddr("udp", s.Addr)
	if err != nil {
		return s, fmt.Errorf("udp: address %q: %w", s.Addr, err)
	}
	s.network, s.addr = "udp4", a
	limit := MaxIPv4DatagramSize
	switch {
	case a.IP == nil:
		a.IP = net.IPv4zero
	case a.IP.To4() == nil:
		s.network, limit = "udp6", MaxIPv6DatagramSize
	}
	s.max = c.MaxDatagramSize
	if s.max == 0 {
		s.max = MaxGramSize
	}
	if s.max < 0 || s.max > limit {
		return s, fmt.Errorf("udp: MaxDatagramSize %d outside 1..%d for %s", s.max, limit, s.network)
	}
	s.bc, s.bs = bufSizes(c.BufCount, c.BufSize)
	return s, nil
}

// bufSizes applies hio's bc/bs rule (docs/protocol.md §10.1) with this
// transport's default count and gram size.
func bufSizes(count, size int) (bc, bs int) {
	return dgram.BufSizes(count, size, DefaultBufCount, MaxGramSize)
}
