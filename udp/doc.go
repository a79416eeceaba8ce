// Package udp is the UDP transport of memogram, hio's UDP peer without the
// memo layer (docs/protocol.md §10.3).
//
// A *Peer is both a net.PacketConn (blocking ReadFrom and WriteTo that wait
// in Go's netpoller and honour deadlines) and a transport.Peer
// (non-blocking Receive and Send for hio's single-threaded service loop).
// Addresses are *net.UDPAddr; a wire log names them as hio does,
// ('127.0.0.1', 6101).
//
// # Differences from hio
//
//   - The address family follows the address: "[::1]:6101" gives an IPv6
//     socket, where hio always opens IPv4 (HIO-DEFECTS P1). Go makes IPv6
//     sockets IPv6-only, so such a peer talks to IPv6 peers only.
//   - Neither SO_REUSEPORT nor SO_REUSEADDR is set, so a second peer on a
//     taken address fails with transport.ErrAddrInUse instead of silently
//     sharing its datagrams (P2).
//   - An empty host means 0.0.0.0 on every system; hio uses 127.0.0.1 on
//     Windows.
//   - SO_BROADCAST is set only with Config.Broadcast (Go sets it on every
//     UDP socket).
//   - Receive errors that only report an ICMP error for an earlier
//     datagram (connection refused or reset, the latter on Windows) are
//     skipped, not raised (R5); zero-length datagrams are returned as empty
//     non-nil slices (R6).
//
// # Sizes
//
// MaxDatagramSize defaults to hio's MaxGramSize, 1240: the IPv6 minimum MTU
// (1280) less the IPv6 header, the largest payload that is never
// fragmented on any path (P3). Raise it only where the path is known, for
// example to MaxIPv4DatagramSize (65507) or MaxIPv6DatagramSize (65527) on
// loopback: a larger datagram is sent as IP fragments, and losing any one
// loses it all (6.7–9.1 % of 65507-byte datagrams were lost over Linux
// loopback in hio's measurements, P4). Receive and ReadFrom accept up to
// MaxReceiveSize (65535) whatever MaxDatagramSize is, reading into a buffer
// one byte larger so that anything longer is detected and dropped.
//
// BufCount and BufSize follow hio's rule with UDP's MaxGramSize; the
// default count is 1024, as in hio's UDP memo peer, so SO_SNDBUF and
// SO_RCVBUF are raised to 1269760 bytes (never lowered; Linux caps them at
// net.core.wmem_max and rmem_max).
//
// UDP may lose and reorder datagrams; this package adds no recovery.
//
// # Flow control
//
// Send returns transport.ErrWouldBlock when the send buffer is full
// (EAGAIN, ENOBUFS, ENOMEM, WSAEWOULDBLOCK, WSAENOBUFS); the caller keeps
// the datagram (T1), which is sent whole or not at all (T2). WriteTo waits
// instead, for the netpoller's writability event bounded by a timer (1 ms
// doubling to 50 ms), because ENOBUFS comes with no event.
//
// # Errors
//
// Errors are *net.OpError values of Net "udp4" or "udp6", the socket's
// family, as transport describes: Open gives Op "listen" with the address
// as Addr (a taken one matches transport.ErrAddrInUse and EADDRINUSE or
// WSAEADDRINUSE); ReadFrom and Receive "read"; WriteTo and Send "write"
// with the destination as Addr; Close "close". UDP does not know whether
// anybody listens at a destination, so a send to a closed port usually
// succeeds; where the system reports it at once (ECONNREFUSED) the error
// matches transport.ErrNoDestination.
//
// # Windows
//
// The socket is switched to non-blocking mode (FIONBIO) so that Receive
// and Send are plain recvfrom and sendto calls that return WSAEWOULDBLOCK;
// Go's ReadFrom and WriteTo use overlapped I/O, which that mode does not
// affect. Go cannot wait for writability on Windows, so a WriteTo that
// meets a full send buffer retries on the timer alone, and a changed write
// deadline takes effect at its next tick.
package udp
