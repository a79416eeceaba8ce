// Package dgram is the machinery that memogram's datagram socket transports,
// uxd (unix datagram) and udp, share. Each of them keeps what is its own:
// addresses and how they become sockaddrs, where a socket binds (Filer
// paths, umask and stale files for uxd), platform limits and socket
// options. What they do alike lives here, written once so that a fix
// reaches both:
//
//   - OpError and the classification of OS errors into the transport
//     sentinels (errors.go, errno_*.go);
//   - hio's buffer-size rule and raising SO_SNDBUF and SO_RCVBUF
//     (bufsize.go);
//   - allocation-free non-blocking recvfrom and sendto for the
//     transport.Peer side (rx.go, tx.go, sock_*.go);
//   - Core, which holds the current socket across Reopen, the deadlines
//     that outlive it, and the blocking ReadFrom and WriteTo loops of the
//     net.PacketConn side around the non-blocking calls (core.go,
//     deadline.go, read.go, write.go).
//
// The behaviour is the packages'; their documentation describes it.
package dgram
