package memo

import (
	"context"
	"net"

	"github.com/memogram/memogram/transport"
)

// Gathered sends. An unsigned gram is its head followed by a piece of the
// memo, unchanged; over a transport.GatherWriter Send hands the kernel the
// head and the piece as two buffers of one datagram (sendmsg's iovecs),
// so that the memo is not first copied gram by gram into a send buffer,
// the one copy more than a raw send that rendering costs. On the wire
// nothing differs. Signed grams are rendered whole: the signature covers
// head and body as one message.

// sendGathered writes the grams of it to dst through gw, a batch of heads and
// bodies at a time, and returns the grams sent.
func (m *Memoer) sendGathered(ctx context.Context, it *Rendering, dst net.Addr, gw transport.GatherWriter) (int, error) {
	k := batchGrams(it)
	heads := keptSlots(&m.txHeads, k, it.r.headSize())
	if len(m.txParts) < 2*k {
		m.txParts = make([][]byte, 2*k)
	}
	parts := m.txParts[:2*k]
	defer clear(parts) // keep no reference to the caller's memo
	sent := 0
	for !it.Done() {
		n, bytes := 0, 0
		for n < k {
			head, body, ok := it.nextParts(heads[n])
			if !ok {
				break
			}
			parts[2*n], parts[2*n+1] = head, body
			bytes += len(head) + len(body)
			n++
		}
		if m.pace != nil {
			if err := m.pace.wait(ctx, bytes, m.closed); err != nil {
				return sent, m.ioError(ctx, "send", dst, err)
			}
		}
		w, err := gw.WriteGather(parts[:2*n], 2, dst)
		sent += w
		if err != nil {
			return sent, m.ioError(ctx, "send", dst, err)
		}
	}
	return sent, nil
}
