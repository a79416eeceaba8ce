package memo

import (
	"errors"
	"net"
	"time"

	"github.com/memogram/memogram/transport"
)

// maxRxPerService bounds the datagrams one Service call reads, so that a
// flood cannot starve transmission.
const maxRxPerService = 4096

// txQueues holds queued memos per destination. Destinations are served in
// turn, so one that cannot take grams does not hold up the others
// (HIO-DEFECTS T3). A queue that empties stays in byDst, idle, so that the
// next memo to the same destination finds it (and its buffers) again; idle
// queues are dropped once there are more than maxIdleQueues.
type txQueues struct {
	byDst  map[string]*dstQueue
	order  []*dstQueue // the queues with memos
	idle   int
	memos  int
	keyBuf []byte
	dstKey srcKeyCache
}

const maxIdleQueues = 64

type dstQueue struct {
	key    string
	dst    net.Addr
	memos  fifo[txMemo]
	buf    []byte // the gram buffer of the memo in front
	active bool   // in order
}

type txMemo struct {
	it   Rendering
	gram []byte // produced but not yet taken by the transport
	data []byte // Memoit's copy of the memo, back to the buffer pool once sent
	size int
}

func (q *txQueues) init() { q.byDst = make(map[string]*dstQueue) }

// queue returns dst's queue, in the serving order.
func (q *txQueues) queue(dst net.Addr) *dstQueue {
	q.keyBuf = append(append(append(q.keyBuf[:0], dst.Network()...), '|'), q.dstKey.key(dst)...)
	d := q.byDst[string(q.keyBuf)]
	if d == nil {
		d = &dstQueue{key: string(q.keyBuf)}
		q.byDst[d.key] = d
	} else if !d.active {
		q.idle--
	}
	d.dst = dst
	if !d.active {
		d.active = true
		q.order = append(q.order, d)
	}
	return d
}

// Memoit queues memo for dst; Service sends it. The memo is copied. Errors in
// the memo itself (too large) are reported here, not later (HIO-DEFECTS S5);
// a full queue gives ErrQueueFull.
func (m *Memoer) Memoit(memo []byte, dst net.Addr) error {
	return m.MemoitWith(memo, dst, SendOptions{})
}

// MemoitWith is Memoit with per-memo options.
func (m *Memoer) MemoitWith(memo []byte, dst net.Addr, opts SendOptions) error {
	select {
	case <-m.closed:
		return net.ErrClosed
	default:
	}
	// The rendering starts before the lock: it draws a mid from
	// RenderConfig.MIDs, the caller's code, which may call the Memoer.
	memo = append(m.bufs.get(len(memo)), memo...)
	sure := opts.Sure || m.cfg.Sure
	start := m.start
	if sure {
		start = m.startSure
	}
	it, err := start(memo, opts)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if sure {
		return m.memoitSure(it, dst, len(memo))
	}
	if m.tx.memos >= m.cfg.TxQueue {
		return ErrQueueFull
	}
	m.tx.queue(dst).memos.push(txMemo{it: it, data: memo, size: len(memo)})
	m.tx.memos++
	return nil
}

// QueuedGrams counts the grams queued by Memoit and not yet sent.
func (m *Memoer) QueuedGrams() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, q := range m.tx.order {
		queued := q.memos.all()
		for i := range queued {
			t := &queued[i]
			n += t.it.Count() - t.it.gn
			if t.gram != nil {
				n++
			}
		}
	}
	return n
}

// Service runs one pass of hio's service loop without blocking: it reads
// every waiting datagram and reassembles, then sends queued grams until the
// transport would block. Completed memos are taken with PopMemo. It returns
// an error only when the transport has failed.
func (m *Memoer) Service() error {
	p, err := m.nonBlocking()
	if err != nil {
		return err
	}
	m.mu.Lock()
	err = m.serviceRx(p)
	if err == nil {
		m.serviceTx(p)
		m.serviceSure(p)
	}
	failed := m.sendFailed
	m.sendFailed = nil
	m.mu.Unlock()
	m.reportSendErrors(failed)
	return err
}

func (m *Memoer) serviceRx(p transport.Peer) error {
	for range maxRxPerService {
		data, src, err := p.Receive()
		switch {
		case errors.Is(err, transport.ErrWouldBlock):
			m.rx.Expire()
			return nil
		case err != nil && isTransient(err):
			continue
		case err != nil:
			return err
		}
		if memo, done := m.input(data, src, time.Now()); done {
			m.inbox.push(memo)
		}
	}
	return nil
}

func (m *Memoer) serviceTx(p transport.Peer) {
	kept := m.tx.order[:0]
	for _, q := range m.tx.order {
		m.drain(p, q)
		if q.memos.len() > 0 {
			kept = append(kept, q)
		} else {
			q.active = false
			q.dst = nil
			m.tx.idle++
		}
	}
	clear(m.tx.order[len(kept):])
	m.tx.order = kept
	if m.tx.idle > maxIdleQueues {
		for key, q := range m.tx.byDst {
			if !q.active {
				delete(m.tx.byDst, key)
			}
		}
		m.tx.idle = 0
	}
}

// drain sends q's grams until q is empty or its destination would block.
func (m *Memoer) drain(p transport.Peer, q *dstQueue) {
	for q.memos.len() > 0 {
		t := q.memos.front()
		if t.gram == nil {
			if n := t.it.r.GramSize(); cap(q.buf) < n {
				q.buf = make([]byte, 0, n)
			}
			t.gram, _ = t.it.Next(q.buf)
		}
		if t.gram != nil {
			if !m.pace.allow(len(t.gram)) {
				return // the gram stays queued until the rate allows it
			}
			_, err := p.Send(t.gram, q.dst)
			switch {
			case errors.Is(err, transport.ErrWouldBlock):
				m.stats.WouldBlocks++
				return // the gram stays queued (HIO-DEFECTS T1)
			case err != nil:
				m.stats.SendErrors++
				if m.cfg.OnSendError != nil { // told after m.mu is released
					m.sendFailed = append(m.sendFailed, sendFailure{q.dst, t.it.MID(), err})
				}
				m.popTx(q)
				continue
			}
			m.stats.GramsSent++
			t.gram = nil
		}
		if t.it.Done() {
			m.stats.MemosSent++
			m.stats.BytesSent += uint64(t.size)
			m.popTx(q)
		}
	}
}

func (m *Memoer) popTx(q *dstQueue) {
	t, _ := q.memos.pop()
	m.bufs.put(t.data)
	m.tx.memos--
}

// nonBlocking returns the transport's non-blocking view. A plain
// net.PacketConn gets an adapter with one reader goroutine, which ends when
// the Memoer is closed.
func (m *Memoer) nonBlocking() (transport.Peer, error) {
	select {
	case <-m.closed:
		return nil, net.ErrClosed
	default:
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.peer == nil {
		m.peer = newPollPeer(m.conn)
	}
	return m.peer, nil
}

// pollPeer adapts a blocking net.PacketConn to transport.Peer: a goroutine
// reads into a bounded queue that Receive polls. Send writes directly; a
// PacketConn's WriteTo blocks only briefly on datagram sockets.
//
// The reader reads into one buffer of ReadBufferSize and copies each
// datagram into a buffer of its own length, taken from free: Receive hands
// the previous datagram's buffer back, as transport.Peer lets it (a
// Receive's slice is valid until the next Receive), so that a steady
// stream allocates nothing and holds no ReadBufferSize buffer per datagram.
type pollPeer struct {
	net.PacketConn
	ch   chan pollDatagram
	free chan []byte
	cur  []byte // the buffer of the datagram Receive returned last
	err  error
	done chan struct{}
}

type pollDatagram struct {
	data []byte
	src  net.Addr
}

const pollQueue = 256

func newPollPeer(c net.PacketConn) *pollPeer {
	p := &pollPeer{PacketConn: c, ch: make(chan pollDatagram, pollQueue),
		free: make(chan []byte, pollQueue+2), done: make(chan struct{})}
	go p.read()
	return p
}

func (p *pollPeer) read() {
	defer close(p.done)
	defer close(p.ch)
	buf := make([]byte, ReadBufferSize)
	for {
		n, src, err := p.ReadFrom(buf)
		if err != nil {
			if isTransient(err) {
				continue
			}
			p.err = err
			return
		}
		var b []byte
		select {
		case b = <-p.free:
		default:
		}
		b = append(b[:0], buf[:n]...)
		p.ch <- pollDatagram{b, src}
	}
}

func (p *pollPeer) Receive() ([]byte, net.Addr, error) {
	if p.cur != nil {
		select {
		case p.free <- p.cur:
		default:
		}
		p.cur = nil
	}
	select {
	case d, ok := <-p.ch:
		if !ok {
			return nil, nil, p.err
		}
		p.cur = d.data
		return d.data, d.src, nil
	default:
		return nil, nil, transport.ErrWouldBlock
	}
}

func (p *pollPeer) Send(data []byte, dst net.Addr) (int, error) { return p.WriteTo(data, dst) }

// Close closes the conn and waits for the reader goroutine.
func (p *pollPeer) Close() error {
	err := p.PacketConn.Close()
	go func() { // unblock a reader stuck on a full queue
		for range p.ch {
		}
	}()
	<-p.done
	return err
}
