package memo

import (
	"context"
	"crypto/ed25519"
	"net"
	"runtime"
	"time"

	"github.com/memogram/memogram/transport"
)

// Batches. A memo of many grams moves in batches where that pays:
//
//   - over a transport.BatchWriter (udp.Peer on Linux: sendmmsg) Send
//     hands the transport up to txBatchMax grams per call, and over a
//     transport.BatchReader (recvmmsg) Receive takes what waits in one;
//   - a signed memo is cut a batch at a time on every transport, so that
//     its signatures are made in parallel (sign_parallel.go), and the
//     signed grams a receiver finds waiting are verified in parallel
//     before reassembly takes them in order.
//
// An unsigned memo over a transport.GatherWriter goes out through it
// (gather.go: udp.Peer gathers within its batches); over a transport with
// neither, it moves one gram per WriteTo and ReadFrom.

const (
	// txBatchMax and rxBatchMax bound the grams of one batch. A receive
	// batch of 64 (one recvmmsg's, 4 MiB of buffers over UDP) rather than
	// 32 lifted signed 64 KiB memos from 0.70 to 0.82–0.86 of the crypto
	// ceiling: verifying twice as many grams per parallel round leaves the
	// cores idle half as often.
	txBatchMax = 64
	rxBatchMax = 64
	// batchBytes bounds a send batch's buffers.
	batchBytes = 1 << 20
	// signBatchPerCore bounds, per core, a signed memo's batch where the
	// transport takes one gram a call (no BatchWriter: uxd, mailslots):
	// there a batch serves only the parallel signing, and a batch larger
	// than the cores sign at once holds its first gram back while the
	// receiver idles. A unix datagram socket queues 10 datagrams
	// (net.unix.max_dgram_qlen); batches of 64 (1 MiB memos of 1,240-byte
	// grams) and 16 (65,535-byte grams) reached 0.29–0.33 and 0.67–0.73
	// of the crypto ceiling over uxd on 2 cores, batches of 4 0.57–0.63
	// and 0.79–0.82; with the pool's workers polling (crypto_pool.go),
	// batches of 4 reach 0.75–0.85 and 0.88–0.96, of 2 and of 8 no better.
	signBatchPerCore = 2
)

// keptSlots returns n empty buffers of size bytes' capacity, cut from one
// allocation kept in *kept for the next call (Send's, which holds txSem).
func keptSlots(kept *[][]byte, n, size int) [][]byte {
	if k := *kept; len(k) < n || (len(k) > 0 && cap(k[0]) < size) {
		arena := make([]byte, n*size)
		k = make([][]byte, n)
		for i := range k {
			k[i] = arena[i*size : i*size : (i+1)*size]
		}
		*kept = k
	}
	return (*kept)[:n]
}

// batchGrams is how many of it's grams a send batch takes: txBatchMax, as
// many as batchBytes hold, and no more than the memo has.
func batchGrams(it *Rendering) int {
	return min(txBatchMax, max(1, batchBytes/it.r.GramSize()), it.Count())
}

// sendBatched writes the grams of it to dst in batches: through bw when the
// transport has one, else one WriteTo per gram. It returns the grams sent.
func (m *Memoer) sendBatched(ctx context.Context, it *Rendering, dst net.Addr, bw transport.BatchWriter) (int, error) {
	size := it.r.GramSize()
	k := batchGrams(it)
	if bw == nil {
		k = min(k, signBatchPerCore*runtime.GOMAXPROCS(0))
	}
	slots := keptSlots(&m.txBatch, k, size)
	sent := 0
	for !it.Done() {
		grams := renderBatch(it, slots)
		if m.pace != nil {
			n := 0
			for _, g := range grams {
				n += len(g)
			}
			if err := m.pace.wait(ctx, n, m.closed); err != nil {
				return sent, m.ioError(ctx, "send", dst, err)
			}
		}
		if bw != nil {
			n, err := bw.WriteBatch(grams, dst)
			sent += n
			if err != nil {
				return sent, m.ioError(ctx, "send", dst, err)
			}
			continue
		}
		for _, g := range grams {
			if _, err := m.conn.WriteTo(g, dst); err != nil {
				return sent, m.ioError(ctx, "send", dst, err)
			}
			sent++
		}
	}
	return sent, nil
}

// rxQueue holds the datagrams a receive batch took, for Receive to add in
// order. Receive holds rxSem.
type rxQueue struct {
	msgs  []transport.Message
	grams []Gram    // parsed for the parallel verification
	sniff Gram      // looksSigned's parse: a Gram is too large to live on the stack for free
	pre   []verdict // verifications done ahead of reassembly
	count int
	next  int
	// placed says the last read added its gram where it lay (scatter.go),
	// with this result.
	placed     bool
	placedMemo Memo
	placedDone bool
}

// verdict is a signature check made ahead of Reassembler.Add: the gram
// verifies under pub, or not.
type verdict struct {
	pub ed25519.PublicKey
	ok  bool
}

func (q *rxQueue) ensure(n, bufSize int) {
	for len(q.msgs) < n {
		q.msgs = append(q.msgs, transport.Message{})
	}
	for i := range q.msgs[:n] {
		if len(q.msgs[i].Buf) < bufSize {
			q.msgs[i].Buf = make([]byte, bufSize)
		}
	}
	if len(q.grams) < n {
		q.grams = make([]Gram, n)
		q.pre = make([]verdict, n)
	}
}

// receiveQueued is Receive's loop over batches: it reads a batch, verifies
// its signed grams in parallel, and adds the datagrams in order until one
// completes a memo. ok is false when the transport offers no batches and
// the memo is not signed: Receive then reads one datagram at a time.
func (m *Memoer) receiveQueued(ctx context.Context) (memo Memo, ok bool, err error) {
	q := &m.rxq
	// One clock reading for what a batch brings, taken when it is read
	// and again when a later call resumes it.
	var now time.Time
	if q.next < q.count {
		now = time.Now()
	}
	for {
		for q.next < q.count {
			i := q.next
			q.next++
			msg := &q.msgs[i]
			m.mu.Lock()
			if q.pre[i].pub != nil {
				m.rx.pre = &q.pre[i]
			}
			m.rx.useTime(now)
			r := m.sure.rx
			r.batching = q.next < q.count // more of the batch waits
			memo, done := m.input(msg.Buf[:msg.N], msg.Addr, now)
			m.rx.pre = nil
			m.rx.useTime(time.Time{})
			if !r.batching || done { // else held back to the batch's last datagram
				r.endBatch(m, now)
			}
			acks := m.takeAcks(now)
			m.mu.Unlock()
			m.writeAcks(acks)
			q.pre[i] = verdict{}
			if done {
				return memo, true, nil
			}
		}
		if m.sureOn() { // a Sure send started the pump: it reads now
			return Memo{}, false, nil
		}
		q.count, q.next = 0, 0
		n, err := m.readBatch()
		if err != nil {
			if isTransient(err) {
				continue
			}
			return Memo{}, true, m.ioError(ctx, "receive", nil, err)
		}
		if q.placed {
			q.placed = false
			if memo := q.placedMemo; q.placedDone {
				q.placedMemo, q.placedDone = Memo{}, false
				return memo, true, nil
			}
			continue
		}
		q.count = n
		m.preverify()
		now = time.Now()
	}
}

// readBatch fills m.rxq: through ReadBatch when the transport has it;
// otherwise one blocking ReadFrom, then, if what came is signed, what
// else waits, taken without blocking through the transport's Peer side.
func (m *Memoer) readBatch() (int, error) {
	q := &m.rxq
	if br, ok := m.conn.(transport.BatchReader); ok {
		q.ensure(rxBatchMax, br.BatchBufferSize())
		return br.ReadBatch(q.msgs[:rxBatchMax])
	}
	q.ensure(1, ReadBufferSize+1)
	first := &q.msgs[0]
	var n int
	var src net.Addr
	var err error
	if sr, ok := m.conn.(transport.ScatterReader); ok && m.into.want() {
		n, src, q.placed, err = m.readIntoPlace(sr, first.Buf)
		if q.placed {
			return 0, nil
		}
	} else {
		n, src, err = m.conn.ReadFrom(first.Buf)
	}
	if err != nil {
		return 0, err
	}
	first.N, first.Addr = n, src
	if m.peer == nil || !q.looksSigned(first.Buf[:n]) {
		return 1, nil
	}
	count := 1
	for count < rxBatchMax {
		data, src, err := m.peer.Receive()
		if err != nil {
			break // would block, or a failure the next read reports
		}
		if len(q.msgs) <= count {
			q.msgs = append(q.msgs, transport.Message{})
		}
		msg := &q.msgs[count]
		if cap(msg.Buf) < len(data) {
			msg.Buf = make([]byte, len(data), max(len(data), 2048))
		}
		msg.Buf = msg.Buf[:cap(msg.Buf)]
		msg.N = copy(msg.Buf, data)
		msg.Addr = src
		count++
	}
	if len(q.grams) < count {
		q.grams = make([]Gram, len(q.msgs))
		q.pre = make([]verdict, len(q.msgs))
	}
	return count, nil
}

// looksSigned reports whether a datagram parses as a signed gram. It
// parses into q.sniff: a local Gram would escape to the heap, one
// allocation per datagram on the unsigned path.
func (q *rxQueue) looksSigned(b []byte) bool {
	return ParseGram(b, &q.sniff) == nil && q.sniff.Code.Signed()
}

// preverify checks the signatures of the signed grams in m.rxq in
// parallel, each under the key reassembly will try first: the vid's key
// for a zeroth gram; for a later one, that of the memo in progress or of a
// zeroth gram earlier in the batch. Reassembly uses a verdict only for the
// very key it was made with, so a wrong guess costs time, not correctness.
func (m *Memoer) preverify() {
	q := &m.rxq
	n := q.count
	if n < 2 || !q.looksSigned(q.msgs[0].Buf[:q.msgs[0].N]) {
		return
	}
	signed := 0
	m.mu.Lock()
	for i := range n {
		g := &q.grams[i]
		q.pre[i] = verdict{}
		msg := &q.msgs[i]
		if ParseGram(msg.Buf[:msg.N], g) != nil || !g.Code.Signed() {
			continue
		}
		var pub ed25519.PublicKey
		if g.Code.Zeroth() {
			pub, _ = m.rx.cfg.Keep.verifier(&g.vid)
		} else {
			pub = m.rx.candidateKey(msg.Addr, g.MID)
			for j := i - 1; pub == nil && j >= 0; j-- {
				if z := &q.grams[j]; z.Code.Zeroth() && z.Code.Signed() && z.MID == g.MID && sameAddr(q.msgs[j].Addr, msg.Addr) {
					pub = q.pre[j].pub
				}
			}
		}
		if len(pub) == ed25519.PublicKeySize {
			q.pre[i].pub = pub
			signed++
		}
	}
	m.mu.Unlock()
	if signed < 2 {
		for i := range n {
			q.pre[i] = verdict{}
		}
		return
	}
	parallel(n, func(i int) {
		if v := &q.pre[i]; v.pub != nil {
			v.ok = q.grams[i].Verify(v.pub)
		}
	})
}

func sameAddr(a, b net.Addr) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Network() == b.Network() && a.String() == b.String()
}
