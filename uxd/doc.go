// Package uxd is the unix datagram socket transport of memogram, hio's
// "uxd" peer without the memo layer (docs/protocol.md §10.2).
//
// A *Peer is both a net.PacketConn (blocking ReadFrom and WriteTo that wait
// in Go's netpoller and honour deadlines) and a transport.Peer
// (non-blocking Receive and Send for hio's single-threaded service loop).
// Addresses are *net.UnixAddr of network "unixgram".
//
// # Paths
//
// Config.Path binds an explicit path. Otherwise the path follows hio's Filer
// (docs/protocol.md §11), so that hio peers find a Go peer by name:
// /usr/local/var/hio/uxd/[<base>/]<name>.uxd, falling back to
// ~/.hio/uxd/... when that cannot be created or written; hio/clean/uxd with
// Clean; or <tmp>/hio_uxd_<8 random>_test/hio/uxd/... with Temporary. Where
// hio is defective (docs/hio-defects.md §6, §9) this package does better:
//
//   - The process umask is never changed (U1), and it never loosens access:
//     without Config.Umask the socket is DefaultSocketMode (0600) and the
//     directories the peer creates DefaultDirMode (0700); Umask widens
//     them. The socket inode is restricted with fchmod before bind, which
//     Linux applies to the file bind creates, and the file is chmod-ed to
//     its mode right after; so there is no moment at which the socket is
//     looser than asked.
//     macOS ignores the pre-bind mode: between bind and chmod the file has
//     the mode the process umask gives.
//   - A stale socket file (connect gets ECONNREFUSED) is removed before
//     bind; a live socket, or anything that is not a socket, is left alone
//     and Open fails with transport.ErrAddrInUse (U2).
//   - Close removes the socket file (only if it is still ours) and, for a
//     temporary peer, the whole temporary root (U3, F2). Persistent
//     directories stay, as in hio.
//   - The path length is checked in bytes against PathMax, 107 on Linux and
//     103 on macOS (U5).
//   - Directories the peer creates get an explicit mode (U6): 0700, or
//     0755 &^ Config.Umask | 0700. Nobody but
//     the owner may write them, so others cannot replace the socket. A
//     temporary root is 0700, as Python's mkdtemp makes it.
//   - Reopen binds the same path; a temporary peer keeps its directory, so
//     its address survives (U7).
//
// # Sizes
//
// BufCount and BufSize follow hio's rule with uxd's MaxGramSize 65535; the
// default count is 4, as in hio's uxd memo peer, so SO_SNDBUF and SO_RCVBUF
// are raised to 262140 bytes (never lowered; Linux caps them at
// net.core.wmem_max and rmem_max and reports twice the value set).
//
// MaxDatagramSize is what the platform can carry in one datagram, at most
// hio's gram size 65535. On Linux the limit is the sender's SO_SNDBUF − 32,
// read back after raising the buffer; with hio's buffer size that is far
// above 65535. On macOS it is the net.local.dgram.maxdgram sysctl, 2048 by
// default — below hio's default gram size, so memos to or from macOS peers
// need a smaller gram size. Config.MaxDatagramSize can lower it further.
//
// Receive and ReadFrom accept datagrams up to MaxReceiveSize (262140,
// hio's default bs: an hio peer with a raised gram size may send that
// much). They read into a buffer one byte larger, so a longer datagram is
// detected and dropped whole instead of being delivered cut (U8).
//
// # Flow control
//
// The kernel queues at most net.unix.max_dgram_qlen datagrams per receiver
// (often 10). Send then returns transport.ErrWouldBlock and the caller keeps
// the datagram (T1); a datagram is always sent whole or not at all (T2).
// WriteTo waits instead. Linux wakes such a waiting sender only when one of
// its own queued datagrams is read, never when other senders' datagrams
// are, so WriteTo also retries on a timer (1 ms doubling to 50 ms) while it
// waits.
//
// # Sources
//
// The source of a datagram is the sender's bound path. A sender whose
// socket is not bound has no address: the source is nil (hio reports None),
// and such a sender cannot be answered.
//
// # Errors
//
// Errors are *net.OpError values of Net "unixgram", as transport describes:
// Open gives Op "listen" with the socket path as Addr; ReadFrom and Receive
// "read"; WriteTo and Send "write" with the destination as Addr; Close
// "close". A path with no socket gives transport.ErrNoDestination and
// syscall.ENOENT, a socket file nobody is bound to ErrNoDestination and
// syscall.ECONNREFUSED; a path over PathMax ErrPathTooLong.
//
// # Platforms
//
// Linux and macOS. Go has no unix datagram sockets on Windows: there Open
// returns an error matching transport.ErrUnsupported, as it does on other
// systems, which are untested.
package uxd
