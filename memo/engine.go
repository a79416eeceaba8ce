package memo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"time"

	"github.com/memogram/memogram/transport"
)

// ReadBufferSize is the largest datagram a Memoer reads whole: hio's uxd
// buffer size (4 × 65535), so that anything a hio sender emits is accepted.
const ReadBufferSize = 4 * MaxGramSize

// DefaultTxQueue bounds the memos queued by Memoit.
const DefaultTxQueue = 1024

// ErrQueueFull is returned by Memoit when the transmit queue is full: the
// caller runs Service to drain it, or backs off. Nothing is dropped.
var ErrQueueFull = errors.New("memo: transmit queue full")

// Config configures a Memoer.
type Config struct {
	// Render is how memos are cut. Over a transport.SourceCarrier (a
	// mailslot) Render.Source defaults to the transport's local address.
	Render RenderConfig
	// Receive sets the receiver's authentication and limits.
	Receive ReceiveConfig
	// TxQueue bounds the memos Memoit queues; 0 means DefaultTxQueue.
	TxQueue int
	// OnSendError, when set, is told about every memo that could not be
	// sent by Service (the rest of that memo is dropped). hio drops such
	// grams silently (HIO-DEFECTS T4).
	OnSendError func(dst net.Addr, mid MID, err error)
	// Sure sends every memo in Sure mode: acked, retransmitted, delivered
	// exactly once, or reported not delivered (docs/sure.md). SendOptions.Sure
	// chooses it per memo. Receivers ack Sure grams whatever this says.
	Sure bool
	// SureConfig tunes Sure delivery, sender and receiver side.
	SureConfig SureConfig
	// Pace bounds the rate of plain sends; over UDP they are paced by
	// default (DefaultPaceRate), since nothing else keeps a sender from
	// overrunning its receiver.
	Pace Pace
}

// Memoer moves memos over a datagram transport: hio's Memoer. It offers two
// styles, which should not be mixed on one Memoer:
//
//   - blocking, for goroutines: Send and Receive, with contexts;
//   - hio's non-blocking service style, for event loops: Memoit queues a
//     memo, Service moves what it can without blocking, PopMemo takes what
//     arrived.
//
// A Memoer is safe for concurrent use. It owns the transport: Close closes it.
type Memoer struct {
	conn   net.PacketConn
	render *Renderer
	cfg    Config

	bufs  bufPool    // memo buffers handed back by Recycle
	mu    sync.Mutex // guards rx, inbox, tx, stats
	rx    *Reassembler
	inbox fifo[Memo]
	tx    txQueues
	stats Stats

	sendFailed []sendFailure                       // for OnSendError, once m.mu is released
	resolve    func(name string) (net.Addr, error) // the caller's ResolveSource, run outside m.mu

	rxSem   chan struct{} // one blocking reader at a time
	txSem   chan struct{} // one blocking sender at a time: memos go out whole
	rdl     deadline      // the transport's read deadline; held with rxSem
	wdl     deadline      // the transport's write deadline; held with txSem
	rxBuf   []byte
	txBuf   []byte
	rxq     rxQueue              // Receive's batch (batch.go); held with rxSem
	rxHead  [maxLentHead]byte    // a scattered read's head (scatter.go); held with rxSem
	rxParts [maxLoanParts][]byte // and its parts; held with rxSem
	into    intoPlace            // when Receive lends (scatter.go); held with rxSem
	txBatch [][]byte             // Send's batch buffers (batch.go); held with txSem
	txHeads [][]byte             // Send's gram heads and their parts (gather.go); held with txSem
	txParts [][]byte
	peer    transport.Peer // non-blocking view of conn, made on first use
	sure    *sureEngine    // Sure delivery (sure.go)
	pace    *pacer         // plain sends' rate (pace.go); nil: unpaced
	closed  chan struct{}
	once    sync.Once
}

// Stats counts a Memoer's traffic; Receive holds what its reassembly did.
type Stats struct {
	MemosSent   uint64
	GramsSent   uint64
	BytesSent   uint64 // memo bytes
	WouldBlocks uint64 // non-blocking sends the transport could not take yet
	Paced       uint64 // plain sends held back by Config.Pace
	SendErrors  uint64 // memos abandoned on a send error
	Receive     ReceiveStats
	Sure        SureStats
}

// New runs the memo layer over conn.
func New(conn net.PacketConn, cfg Config) (*Memoer, error) {
	rc := cfg.Render
	if _, ok := conn.(transport.SourceCarrier); ok {
		if rc.Source == "" && conn.LocalAddr() != nil {
			rc.Source = conn.LocalAddr().String()
		}
	}
	if rc.MaxTransport == 0 {
		if m, ok := conn.(transport.MaxDatagramSizer); ok {
			rc.MaxTransport = m.MaxDatagramSize()
		}
	}
	r, err := NewRenderer(rc)
	if err != nil {
		return nil, err
	}
	if cfg.TxQueue <= 0 {
		cfg.TxQueue = DefaultTxQueue
	}
	// The caller's ResolveSource is run on delivery, outside the lock that
	// reassembly holds (callbacks.go); a transport's own runs inside.
	resolve := cfg.Receive.ResolveSource
	cfg.Receive.ResolveSource = nil
	if sc, ok := conn.(transport.SourceCarrier); ok && resolve == nil {
		cfg.Receive.ResolveSource = sc.ResolveSource
	}
	m := &Memoer{
		resolve: resolve,
		conn:    conn,
		render:  r,
		cfg:     cfg,
		rx:      NewReassembler(cfg.Receive),
		rxSem:   make(chan struct{}, 1),
		txSem:   make(chan struct{}, 1),
		closed:  make(chan struct{}),
	}
	m.rx.alloc = m.bufs.get
	m.rx.recycle = m.bufs.put
	m.pace = newPacer(cfg.Pace, conn)
	m.rdl.set, m.wdl.set = conn.SetReadDeadline, conn.SetWriteDeadline
	m.tx.init()
	m.sureInit()
	if p, ok := conn.(transport.Peer); ok {
		m.peer = p
	}
	return m, nil
}

// Renderer returns how this Memoer cuts memos.
func (m *Memoer) Renderer() *Renderer { return m.render }

// LocalAddr is the transport's local address.
func (m *Memoer) LocalAddr() net.Addr { return m.conn.LocalAddr() }

// Stats returns the counters so far.
func (m *Memoer) Stats() Stats {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.stats
	s.Receive = m.rx.Stats()
	m.sureStats(&s)
	s.Paced = m.pace.held()
	return s
}

// Close closes the transport and wakes blocked callers with net.ErrClosed.
func (m *Memoer) Close() error {
	err := net.ErrClosed
	m.once.Do(func() {
		close(m.closed)
		m.rdl.release()
		m.wdl.release()
		m.mu.Lock()
		pp, _ := m.peer.(*pollPeer)
		m.mu.Unlock()
		if pp != nil {
			err = pp.Close()
		} else {
			err = m.conn.Close()
		}
		m.sureStop()
	})
	return err
}

// SendOptions choose for one memo what Config.Render fixes for the Memoer.
// The zero value sends as configured.
type SendOptions struct {
	// Signer signs this memo instead of Config.Render.Signer, like the vid
	// argument of hio's memoit(memo, dst, vid). The memo uses the signed
	// twin of the configured code, with the same form and gram size.
	Signer *Signer
	// Sure sends this memo in Sure mode (as Config.Sure does for all).
	Sure bool
}

// start begins cutting memo as opts say.
func (m *Memoer) start(memo []byte, opts SendOptions) (Rendering, error) {
	r := m.render
	if opts.Signer != nil {
		var err error
		if r, err = r.WithSigner(opts.Signer); err != nil {
			return Rendering{}, err
		}
	}
	return r.Start(memo)
}

// Send cuts memo into grams and writes them to dst, blocking until every
// gram has been handed to the transport or ctx ends. A would-block transport
// is waited on, never dropped from (HIO-DEFECTS T1).
func (m *Memoer) Send(ctx context.Context, memo []byte, dst net.Addr) error {
	return m.SendWith(ctx, memo, dst, SendOptions{})
}

// SendWith is Send with per-memo options.
func (m *Memoer) SendWith(ctx context.Context, memo []byte, dst net.Addr, opts SendOptions) error {
	if opts.Sure || m.cfg.Sure {
		_, err := m.SendSure(ctx, memo, dst, opts)
		return err
	}
	it, err := m.start(memo, opts)
	if err != nil {
		return err
	}
	if err := acquire(ctx, m.txSem, m.closed); err != nil {
		return err
	}
	defer func() { <-m.txSem }()
	if err := m.wdl.bind(ctx); err != nil {
		return err
	}
	defer m.wdl.unbind(m.closed)
	if gw, ok := m.conn.(transport.GatherWriter); ok && it.r.signer == nil {
		grams, err := m.sendGathered(ctx, &it, dst, gw)
		if err != nil {
			return err
		}
		m.countSent(grams, len(memo))
		return nil
	}
	bw, batched := m.conn.(transport.BatchWriter)
	if batched || it.r.signer != nil {
		grams, err := m.sendBatched(ctx, &it, dst, bw)
		if err != nil {
			return err
		}
		m.countSent(grams, len(memo))
		return nil
	}
	if cap(m.txBuf) < it.r.GramSize() {
		m.txBuf = make([]byte, 0, it.r.GramSize())
	}
	grams := 0
	for {
		g, ok := it.Next(m.txBuf)
		if !ok {
			break
		}
		if err := m.pace.wait(ctx, len(g), m.closed); err != nil {
			return m.ioError(ctx, "send", dst, err)
		}
		if _, err := m.conn.WriteTo(g, dst); err != nil {
			return m.ioError(ctx, "send", dst, err)
		}
		grams++
	}
	m.countSent(grams, len(memo))
	return nil
}

func (m *Memoer) countSent(grams, bytes int) {
	m.mu.Lock()
	m.stats.MemosSent++
	m.stats.GramsSent += uint64(grams)
	m.stats.BytesSent += uint64(bytes)
	m.mu.Unlock()
}

// Receive blocks until a memo is complete, ctx ends, or the Memoer is
// closed. Grams that are rejected are counted in Stats, never returned as
// errors; an error means the transport failed or ctx ended.
func (m *Memoer) Receive(ctx context.Context) (Memo, error) {
	memo, err := m.receive(ctx)
	if err == nil {
		m.resolveSrc(&memo)
	}
	return memo, err
}

func (m *Memoer) receive(ctx context.Context) (Memo, error) {
	if m.cfg.Sure {
		m.startPump()
	}
	if m.sureOn() {
		return m.receivePumped(ctx)
	}
	if err := acquire(ctx, m.rxSem, m.closed); err != nil {
		return Memo{}, err
	}
	defer func() { <-m.rxSem }()
	if memo, ok := m.popMemo(); ok {
		return memo, nil
	}
	if err := m.rdl.bind(ctx); err != nil {
		return Memo{}, err
	}
	defer m.rdl.unbind(m.closed)
	if memo, ok, err := m.receiveQueued(ctx); ok {
		return memo, err
	}
	if m.sureOn() { // a Sure send started the pump while we read
		return m.receivePumped(ctx)
	}
	if m.rxBuf == nil {
		// One byte more than the largest accepted datagram lets a
		// transport read into it directly and still see truncation.
		m.rxBuf = make([]byte, ReadBufferSize+1)
	}
	for {
		n, src, err := m.conn.ReadFrom(m.rxBuf)
		if err != nil {
			if isTransient(err) {
				continue
			}
			return Memo{}, m.ioError(ctx, "receive", nil, err)
		}
		now := time.Now()
		m.mu.Lock()
		memo, done := m.input(m.rxBuf[:n], src, now)
		acks := m.takeAcks(now)
		m.mu.Unlock()
		m.writeAcks(acks)
		if done {
			return memo, nil
		}
		if m.sureOn() { // a Sure send started the pump: it reads now
			return m.receivePumped(ctx)
		}
	}
}

// Recycle hands back the Data of a memo this Memoer delivered, once the
// caller is done with it, so that a later memo can reuse the buffer instead
// of allocating a new one. It is optional (memos not recycled are garbage
// collected as usual) and pays off for memos of a few KiB and more. The caller
// must not use data afterwards.
func (m *Memoer) Recycle(data []byte) { m.bufs.put(data) }

// PopMemo takes the oldest memo that Service completed, without blocking.
func (m *Memoer) PopMemo() (Memo, bool) {
	memo, ok := m.popMemo()
	if ok {
		m.resolveSrc(&memo)
	}
	return memo, ok
}

func (m *Memoer) popMemo() (Memo, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.inbox.pop()
}

// ioError turns a transport error into the caller's view: ctx's error when
// ctx ended, net.ErrClosed after Close.
func (m *Memoer) ioError(ctx context.Context, op string, addr net.Addr, err error) error {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// The transport's timer can fire before the context's.
		if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
			return context.DeadlineExceeded
		}
	}
	select {
	case <-m.closed:
		return net.ErrClosed
	default:
	}
	if addr != nil {
		return fmt.Errorf("memo: %s to %s: %w", op, addr, err)
	}
	return fmt.Errorf("memo: %s: %w", op, err)
}

// isTransient reports receive errors after which the transport still works:
// an oversize datagram the transport discarded. Errors that only report an
// earlier datagram's fate, such as an ICMP port unreachable on a UDP socket
// (R5), are the transport's to skip; the udp package does.
func isTransient(err error) bool {
	return errors.Is(err, transport.ErrDatagramTooLarge)
}

func acquire(ctx context.Context, sem chan struct{}, closed chan struct{}) error {
	select {
	case sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	case <-closed:
		return net.ErrClosed
	}
	select {
	case <-closed:
		<-sem
		return net.ErrClosed
	default:
		return nil
	}
}

// longAgo wakes a blocked read or write at once.
var longAgo = time.Unix(1, 0)
