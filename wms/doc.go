// Package wms is the raw datagram transport over Windows mailslots: a Peer
// that creates one mailslot to read from and writes whole messages to
// others. It carries bytes only. A mailslot message has no source address,
// so Receive and ReadFrom always report a nil source; the memo layer built
// on top puts the sender's address into the gram (docs/protocol.md §10.6).
//
// A Peer implements hio's non-blocking peer contract (transport.Peer:
// Receive returns transport.ErrWouldBlock when nothing waits) and, for
// ordinary Go code, net.PacketConn with blocking ReadFrom and deadlines.
//
// # Names
//
// An Addr holds a slot name, the part after `\\.\mailslot\`, for instance
// `hio\wms\team\alpha`. Config.Name is used as given, or derived like hio's
// Filer paths without touching any file system: hio\wms\<base>\<name>, or
// for a temporary peer hio_wms_<8 random>_test\hio\wms\[<base>\]<name>.
// Names are compared without regard to case, as Windows does. Only local
// mailslots are supported: remote ones carry at most 424 bytes and are
// being retired by Microsoft.
//
// # Errors
//
// Errors are *net.OpError values of Net "wms" (Network), as transport
// describes, with the slot's Addr as Source: Open and Reopen give Op
// "listen" with the slot as Addr (a taken name matches
// transport.ErrAddrInUse and windows.ERROR_ALREADY_EXISTS); ReadFrom and
// Receive "read"; WriteTo and Send "write" with the destination as Addr (a
// missing slot matches transport.ErrNoDestination and
// windows.ERROR_FILE_NOT_FOUND); Close "close". ErrEmptyDatagram,
// ErrInvalidName and transport.ErrUnsupported (a remote slot) come the same
// way from Send.
//
// # Platforms
//
// Mailslots exist only on Windows. Elsewhere the package builds, Addr and
// Config work, and Open fails with an error matching
// transport.ErrUnsupported and errors.ErrUnsupported.
//
// # Wine
//
// The project's CI runs the Windows build under Wine 8.0, whose mailslots
// differ from Windows (docs/mailslots.md §8). The Peer works on both:
//
//   - reads use a buffer one byte larger than the largest accepted message,
//     since Wine cuts a longer message to the buffer silently;
//   - the message count of GetMailslotInfo is never used;
//   - ERROR_BROKEN_PIPE from a read is Wine's way of delivering an empty
//     message, and Send refuses empty messages (ErrEmptyDatagram);
//   - the sender enforces MaxMessageSize, which Wine does not;
//   - writers open with FILE_SHARE_READ|FILE_SHARE_WRITE;
//   - no read waits longer than Config.PollInterval, since nothing but a
//     message wakes a waiting read under Wine; Close and deadlines act
//     between such waits;
//   - under Wine 8 an open writer handle keeps a closed mailslot alive, so
//     writer handles are not cached there (see Send).
//
// A Wine writer still blocks when the destination's queue is full (278
// small messages, or 4 of 60 KiB, unread); readers should drain
// concurrently.
package wms
