// Package dgram is the machinery that memogram's datagram socket
// transports, uxd (unix datagram) and udp, share. Each of them keeps what
// is its own: addresses and how they become sockaddrs, where a socket binds
// (Filer paths, umask and stale socket files for uxd), platform limits and
// socket options. What they do alike lives here, written once so that a
// fix reaches both:
//
//   - errors in the net package's shape (*net.OpError) and the
//     classification of OS errors into the transport sentinels;
//   - hio's buffer-size rule and raising SO_SNDBUF and SO_RCVBUF;
//   - allocation-free non-blocking recvfrom and sendto for the
//     transport.Peer side (on Windows with the socket in FIONBIO mode);
//   - Core, which holds the current socket across Reopen and the deadlines
//     that outlive it, and runs the blocking ReadFrom and WriteTo of the
//     net.PacketConn side around those non-blocking calls.
//
// The behaviour is the transports'; their documentation describes it.
package dgram
