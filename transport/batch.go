package transport

import "net"

// BatchWriter is implemented by transports that can hand many datagrams to
// the kernel in one system call (udp.Peer on Linux: sendmmsg). The memo
// layer probes a Memoer's conn for it and, when present, sends a memo's
// grams in batches instead of one WriteTo per gram. A transport that
// implements it must stay correct where batching is missing (another OS,
// an old kernel): WriteBatch then writes one datagram at a time.
type BatchWriter interface {
	// WriteBatch sends each of bufs, in order, as one datagram to addr,
	// blocking like WriteTo (the write deadline applies) until all are
	// taken. It returns how many were sent; fewer than len(bufs) only with
	// an error, for the first datagram not sent.
	WriteBatch(bufs [][]byte, addr net.Addr) (int, error)
}

// GatherWriter is implemented by transports that can send a datagram
// gathered from several buffers (sendmsg's iovecs on Linux), so that the
// memo layer sends a gram's head and its piece of the memo as they lie,
// without first copying them into one buffer. udp.Peer gathers within its
// batches (sendmmsg); uxd.Peer sends one datagram per sendmsg, the system
// calls of WriteTo. Where the kernel cannot gather, a transport copies
// each datagram together and sends it as WriteTo does: slower, never
// different on the wire.
type GatherWriter interface {
	// WriteGather sends len(parts)/per datagrams to addr in order,
	// datagram i the concatenation of parts[i*per:(i+1)*per], blocking
	// like WriteTo (the write deadline applies) until all are taken. It
	// returns how many datagrams were sent; fewer only with an error, for
	// the first datagram not sent. len(parts) must be a multiple of per.
	WriteGather(parts [][]byte, per int, addr net.Addr) (int, error)
}

// ScatterReader is implemented by transports that can read a datagram into
// several buffers (recvmsg's iovecs on Linux), so that the memo layer
// receives the body of the gram it expects next straight into the buffer of
// the memo it belongs to, without a copy. uxd.Peer and udp.Peer implement
// it; where the kernel cannot scatter, they read the datagram whole and
// copy it into the buffers.
type ScatterReader interface {
	// ReadScatter blocks like ReadFrom until a datagram arrives, then
	// puts it into parts in order, filling each before the next, and
	// returns its length and source. A datagram longer than the transport
	// accepts is dropped whole, as ReadFrom drops it; one longer than the
	// parts hold fills them and is reported with a *DatagramTooLargeError.
	// Consecutive datagrams from one sender may share one source value:
	// callers must not modify it.
	ReadScatter(parts [][]byte) (n int, src net.Addr, err error)
}

// BatchReader is implemented by transports that can take many waiting
// datagrams from the kernel in one system call (udp.Peer on Linux:
// recvmmsg). The memo layer probes a Memoer's conn for it.
type BatchReader interface {
	// ReadBatch blocks until at least one datagram arrives, the read
	// deadline passes or the transport closes, then fills msgs[:n] with
	// what waits, without blocking again: each datagram in msgs[i].Buf[:N],
	// with its source in Addr (nil for none). Datagrams longer than the
	// transport accepts are dropped whole, as ReadFrom drops them; each Buf
	// should be BatchBufferSize bytes long, so that none is cut.
	ReadBatch(msgs []Message) (n int, err error)
	// BatchBufferSize is the length each Message.Buf needs.
	BatchBufferSize() int
}

// Message is one datagram of a batch.
type Message struct {
	Buf []byte // the caller's buffer, which ReadBatch fills
	N   int    // the datagram's length
	// Addr is the source. Transports may return the same net.Addr value
	// for consecutive datagrams from one source, so that reading does not
	// allocate: callers must not modify it.
	Addr net.Addr
}
