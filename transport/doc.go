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
//
// uxd.Peer, udp.Peer and wms.Peer implement Peer and MaxDatagramSizer;
// wms.Peer is also a SourceCarrier.
//
// # Errors
//
// Besides the sentinels below, every transport returns net.ErrClosed after
// Close and os.ErrDeadlineExceeded when a deadline passes, as the standard
// library's net package does.
package transport
