// Package transport holds what every memogram transport (uxd, udp, wms)
// shares: the sentinel errors callers test with errors.Is, the interfaces
// the memo layer probes a connection for, and hio's wire log.
//
// # Interfaces
//
// memo.New takes any net.PacketConn and looks for these, each optional:
//
//   - Peer: hio's non-blocking Receive and Send. The memo layer's service
//     loop drives a Peer without ever blocking; a plain net.PacketConn is
//     driven through ReadFrom and WriteTo with deadlines instead.
//   - SourceCarrier: the transport's datagrams carry no sender address
//     (mailslots), so the memo layer carries it in the grams and resolves
//     it with ResolveSource.
//   - MaxDatagramSizer: the largest datagram the transport sends; grams are
//     cut to fit unless the configuration gives a size.
//   - BatchWriter and BatchReader: many datagrams a system call (sendmmsg
//     and recvmmsg on Linux), used for a memo's grams and for acks.
//   - GatherWriter: a datagram gathered from several buffers (sendmsg's
//     iovecs), so that an unsigned gram goes out as its head and its piece
//     of the memo, without being copied into a send buffer first.
//   - ScatterReader: a datagram read into several buffers (recvmsg's
//     iovecs), so that the body of the gram expected next lands in its
//     memo's buffer without a copy.
//
// uxd.Peer, udp.Peer and wms.Peer implement Peer and MaxDatagramSizer;
// wms.Peer is also a SourceCarrier; udp.Peer is a BatchWriter, a
// BatchReader, a GatherWriter and a ScatterReader, and uxd.Peer a
// GatherWriter and a ScatterReader. Each falls
// back to one datagram a call, copied together where needed, where the
// platform lacks the system calls.
//
// # Errors
//
// Every error a transport's Peer returns from an operation on its endpoint
// (Open and Reopen, ReadFrom and WriteTo, Receive and Send, Close) is a
// *net.OpError, as the standard library's net package returns:
//
//   - Op is "read" (ReadFrom, Receive), "write" (WriteTo, Send), "listen"
//     (Open, Reopen) or "close";
//   - Net is the transport's network: "unixgram" (uxd), "udp4" or "udp6"
//     (udp), "wms" (mailslots);
//   - Source is the local address; for "listen", as with net.ListenPacket,
//     there is none and Addr is the address being bound;
//   - Addr is the destination of a write, nil where there is none;
//   - Err is the cause. errors.Is matches through it both the sentinel
//     (ErrNoDestination, ErrAddrInUse, ErrDatagramTooLarge, ErrWouldBlock,
//     net.ErrClosed after Close, os.ErrDeadlineExceeded when a deadline
//     passed) and the OS error behind it (syscall.ENOENT,
//     windows.ERROR_FILE_NOT_FOUND, ...); errors.As finds a
//     *DatagramTooLargeError. A passed deadline makes Timeout true.
//
// The would-block error of Receive and Send is made once per Peer and
// returned every time, so that polling an idle endpoint allocates nothing;
// test it with errors.Is, not ==. Configuration mistakes found before any
// system call (a malformed name or address, a size out of range) are plain
// errors naming the package.
package transport
