package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/memogram/memogram/memo"
	"github.com/memogram/memogram/udp"
	kcp "github.com/xtaci/kcp-go/v5"
)

// Options are the knobs every run shares.
type Options struct {
	Seed    uint64
	Workers int           // concurrent SendSure calls
	BufSize int           // SO_SNDBUF/SO_RCVBUF of every socket, relay's too
	Timeout time.Duration // a run that takes longer fails
	Linger  time.Duration // plain memogram: how long to wait for stragglers after the last send

	// PlainCredit paces plain memogram, which has no flow control: the
	// sender waits while more than this many memo bytes are sent and not
	// yet arrived, as the receiver tells it in-process, without a datagram.
	// 0 sends unpaced, and the sender overruns the relay's socket buffer.
	PlainCredit int64

	// SureWindow overrides the sender's SureConfig.Window (0: default).
	SureWindow int
	// SureAckEvery overrides the receiver's SureConfig.AckEvery (0: default).
	SureAckEvery int

	// kcp-go, as its users tune it for low latency (kcptun's "fast3"):
	// NoDelay(1, 10, 2, 1), stream mode, no write delay.
	KCPWindow     int  // SetWindowSize(send, receive), in segments
	KCPMTU        int  // SetMtu: UDP payload bytes, kcp's 24-byte header included
	KCPAckNoDelay bool // SetACKNoDelay
}

// DefaultOptions match kcp-go's window and datagram size to memogram's
// defaults: SureConfig.Window (256 grams) and 1240-byte grams.
var DefaultOptions = Options{
	Seed: 1, Workers: 4, BufSize: 4 << 20, Timeout: 5 * time.Minute, Linger: time.Second,
	PlainCredit: 1 << 20,
	KCPWindow:   memo.DefaultSureWindow, KCPMTU: udp.MaxGramSize,
}

// System is one way of moving a workload from A to B through a relay.
type System struct {
	Name string
	Run  func(ctx context.Context, w *Workload, loss float64, o Options) (Result, error)
}

// Systems are the three compared.
var Systems = []System{
	{"plain", runPlain},
	{"sure", runSure},
	{"kcp", runKCP},
}

// link is side B's address, the relay in front of it, and a tracker.
type link struct {
	relay *Relay
	t     *tracker
}

func newLink(b net.Addr, w *Workload, loss float64, o Options) (*link, error) {
	r, err := NewRelay(b.(*net.UDPAddr), loss, o.Seed, o.BufSize)
	if err != nil {
		return nil, err
	}
	return &link{relay: r, t: newTracker(w)}, nil
}

func (l *link) result(system string, loss float64) Result {
	res := l.t.result(system, loss)
	for d := range 2 {
		res.Datagrams[d] = l.relay.Forwarded[d].Load()
		res.Dropped[d] = l.relay.Dropped[d].Load()
	}
	return res
}

func openMemoer(cfg memo.Config, o Options) (*memo.Memoer, error) {
	p, err := udp.Open(udp.Config{Addr: "127.0.0.1:0", BufSize: o.BufSize})
	if err != nil {
		return nil, err
	}
	m, err := memo.New(p, cfg)
	if err != nil {
		p.Close()
		return nil, err
	}
	return m, nil
}

// memoPair opens A (cfgA) and B (plain receiver) and a relay in front of B,
// and starts B's receive loop.
func memoPair(ctx context.Context, w *Workload, loss float64, o Options, cfgA memo.Config) (a, b *memo.Memoer, l *link, stop func(), err error) {
	if b, err = openMemoer(memo.Config{SureConfig: memo.SureConfig{AckEvery: o.SureAckEvery}}, o); err != nil {
		return
	}
	if a, err = openMemoer(cfgA, o); err != nil {
		b.Close()
		return
	}
	if l, err = newLink(b.LocalAddr(), w, loss, o); err != nil {
		a.Close()
		b.Close()
		return
	}
	rctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			m, err := b.Receive(rctx)
			if err != nil {
				return
			}
			l.t.arrived(m.Data)
			b.Recycle(m.Data)
		}
	})
	stop = func() {
		cancel()
		a.Close()
		wg.Wait()
		b.Close()
		l.relay.Close()
	}
	return
}

// runPlain sends with plain memogram (no acks, no retransmission): the
// ceiling Sure is measured against. Lost grams lose their memo.
func runPlain(ctx context.Context, w *Workload, loss float64, o Options) (Result, error) {
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	// memogram's own pacing (Config.Pace, 32 MiB/s over UDP) is off: the
	// in-process credit paces plain memos here, at what the relay takes.
	a, _, l, stop, err := memoPair(ctx, w, loss, o, memo.Config{Pace: memo.Pace{Rate: -1}})
	if err != nil {
		return Result{}, err
	}
	defer stop()
	dst := l.relay.AddrA()
	if err := waitWarm(ctx, l.t, func() error { return a.Send(ctx, warmup(), dst) }); err != nil {
		return Result{}, err
	}
	var sendErr error
	var sent, lost int64
	for i, m := range w.Memos {
		for o.PlainCredit > 0 && sent-lost-l.t.bytes.Load() > o.PlainCredit {
			select {
			case <-l.t.progress:
			case <-time.After(100 * time.Millisecond): // what is out is lost
				lost = sent - l.t.bytes.Load()
			case <-ctx.Done():
				return Result{}, ctx.Err()
			}
		}
		l.t.sending(i)
		if err := a.Send(ctx, m, dst); err != nil {
			sendErr = fmt.Errorf("plain memo %d: %w", i, err)
			break
		}
		sent += int64(len(m))
	}
	// Wait for all memos, or until nothing has arrived for Linger.
	for {
		n := l.t.got.Load()
		select {
		case <-l.t.all:
		case <-ctx.Done():
			return Result{}, ctx.Err()
		case <-time.After(o.Linger):
			if l.t.got.Load() != n {
				continue
			}
		}
		break
	}
	res := l.result("plain", loss)
	if sendErr != nil {
		res.Errors = append(res.Errors, sendErr.Error())
	}
	return res, nil
}

// waitWarm sends the warm-up memo until it arrives.
func waitWarm(ctx context.Context, t *tracker, send func() error) error {
	for {
		if err := send(); err != nil {
			return err
		}
		select {
		case <-t.warm:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// runSure sends with Sure delivery, default SureConfig, from o.Workers
// goroutines calling SendSure in memo order.
func runSure(ctx context.Context, w *Workload, loss float64, o Options) (Result, error) {
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	a, _, l, stop, err := memoPair(ctx, w, loss, o, memo.Config{Sure: true, SureConfig: memo.SureConfig{Window: o.SureWindow}})
	if err != nil {
		return Result{}, err
	}
	defer stop()
	dst := l.relay.AddrA()
	if err := waitWarm(ctx, l.t, func() error { _, err := a.SendSure(ctx, warmup(), dst, memo.SendOptions{}); return err }); err != nil {
		return Result{}, err
	}
	next := make(chan int)
	errs := make(chan error, len(w.Memos))
	var wg sync.WaitGroup
	for range max(o.Workers, 1) {
		wg.Go(func() {
			for i := range next {
				l.t.sending(i)
				if _, err := a.SendSure(ctx, w.Memos[i], dst, memo.SendOptions{}); err != nil {
					errs <- fmt.Errorf("sure memo %d: %w", i, err)
				}
			}
		})
	}
	for i := range w.Memos {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	select { // a memo acked is a memo B has; its Receive may still be on the way
	case <-l.t.all:
	case <-time.After(o.Linger):
	}
	res := l.result("sure", loss)
	for err := range errs {
		res.Errors = append(res.Errors, err.Error())
	}
	return res, nil
}

// tuneKCP applies the low-latency settings to one end of the kcp session.
func tuneKCP(s *kcp.UDPSession, o Options) {
	s.SetNoDelay(1, 10, 2, 1)
	//lint:ignore SA1019 deprecated but still how kcp-go merges writes into full segments (kcptun sets it)
	s.SetStreamMode(true)
	s.SetWriteDelay(false)
	s.SetWindowSize(o.KCPWindow, o.KCPWindow)
	s.SetMtu(o.KCPMTU)
	s.SetACKNoDelay(o.KCPAckNoDelay)
	_ = s.SetReadBuffer(o.BufSize)
	_ = s.SetWriteBuffer(o.BufSize)
}

// runKCP sends the same memos over one kcp-go session (no encryption, no
// FEC), each framed by a 4-byte big-endian length on the stream.
func runKCP(ctx context.Context, w *Workload, loss float64, o Options) (Result, error) {
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	ln, err := kcp.ListenWithOptions("127.0.0.1:0", nil, 0, 0)
	if err != nil {
		return Result{}, err
	}
	defer ln.Close()
	_ = ln.SetReadBuffer(o.BufSize)
	_ = ln.SetWriteBuffer(o.BufSize)
	l, err := newLink(ln.Addr(), w, loss, o)
	if err != nil {
		return Result{}, err
	}
	defer l.relay.Close()
	a, err := kcp.DialWithOptions(l.relay.AddrA().String(), nil, 0, 0)
	if err != nil {
		return Result{}, err
	}
	defer a.Close()
	tuneKCP(a, o)

	accepted := make(chan *kcp.UDPSession, 1)
	readErr := make(chan error, 1)
	go func() {
		b, err := ln.AcceptKCP()
		if err != nil {
			readErr <- err
			return
		}
		tuneKCP(b, o)
		accepted <- b
		var hdr [4]byte
		buf := make([]byte, 0, 1<<20)
		for {
			if _, err := io.ReadFull(b, hdr[:]); err != nil {
				readErr <- err
				return
			}
			n := int(binary.BigEndian.Uint32(hdr[:]))
			if cap(buf) < n {
				buf = make([]byte, n)
			}
			buf = buf[:n]
			if _, err := io.ReadFull(b, buf); err != nil {
				readErr <- err
				return
			}
			l.t.arrived(buf)
		}
	}()
	var b *kcp.UDPSession
	defer func() {
		if b != nil {
			b.Close()
		}
	}()
	write := func(m []byte) error {
		var hdr [4]byte
		binary.BigEndian.PutUint32(hdr[:], uint32(len(m)))
		_, err := a.WriteBuffers([][]byte{hdr[:], m})
		return err
	}
	if err := write(warmup()); err != nil {
		return Result{}, err
	}
	select {
	case b = <-accepted:
	case err := <-readErr:
		return Result{}, err
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
	select {
	case <-l.t.warm:
	case err := <-readErr:
		return Result{}, err
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
	_ = a.SetWriteDeadline(time.Now().Add(o.Timeout))
	var sendErr error
	for i, m := range w.Memos {
		l.t.sending(i)
		if err := write(m); err != nil {
			sendErr = fmt.Errorf("kcp memo %d: %w", i, err)
			break
		}
	}
	select {
	case <-l.t.all:
	case err := <-readErr:
		sendErr = fmt.Errorf("kcp receiver: %w", err)
	case <-ctx.Done():
		sendErr = ctx.Err()
	}
	res := l.result("kcp", loss)
	if sendErr != nil {
		res.Errors = append(res.Errors, sendErr.Error())
	}
	return res, nil
}
