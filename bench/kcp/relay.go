package main

import (
	"errors"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"

	"golang.org/x/net/ipv4"
)

// Relay is a lossy UDP relay between one side A and one side B: two real
// loopback sockets, one facing each side, and a goroutine per direction
// that forwards what arrives and drops a seeded fraction of it. A sends to
// AddrA and learns nothing else; B sees the relay's other socket as its
// peer. Both directions drop, so data and acks alike are lost.
//
// Each direction reads and writes in batches (recvmmsg/sendmmsg through
// x/net/ipv4), so the relay costs memogram and kcp-go the same, and little.
type Relay struct {
	a, b   *net.UDPConn
	toB    *net.UDPAddr
	toA    atomic.Pointer[net.UDPAddr] // learned from A's first datagram
	drop   float64
	wg     sync.WaitGroup
	closed atomic.Bool

	Forwarded, Dropped [2]atomic.Uint64 // [0] A→B, [1] B→A
}

// relayBatch is how many datagrams a direction moves per system call.
const relayBatch = 64

// NewRelay listens on two loopback ports and forwards between A (whoever
// sends to AddrA first) and b, dropping the fraction drop of datagrams in
// each direction, from seeded random streams.
func NewRelay(b *net.UDPAddr, drop float64, seed uint64, bufSize int) (*Relay, error) {
	r := &Relay{toB: b, drop: drop}
	var err error
	if r.a, err = listen(bufSize); err != nil {
		return nil, err
	}
	if r.b, err = listen(bufSize); err != nil {
		r.a.Close()
		return nil, err
	}
	r.wg.Go(func() { r.forward(0, r.a, r.b, rand.New(rand.NewPCG(seed, 0xa2b))) })
	r.wg.Go(func() { r.forward(1, r.b, r.a, rand.New(rand.NewPCG(seed, 0xb2a))) })
	return r, nil
}

func listen(bufSize int) (*net.UDPConn, error) {
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, err
	}
	if bufSize > 0 {
		_ = c.SetReadBuffer(bufSize)
		_ = c.SetWriteBuffer(bufSize)
	}
	return c, nil
}

// AddrA is where side A sends.
func (r *Relay) AddrA() *net.UDPAddr { return r.a.LocalAddr().(*net.UDPAddr) }

// AddrB is where side B's datagrams come from, and where it answers.
func (r *Relay) AddrB() *net.UDPAddr { return r.b.LocalAddr().(*net.UDPAddr) }

// Close stops both directions.
func (r *Relay) Close() error {
	r.closed.Store(true)
	err := errors.Join(r.a.Close(), r.b.Close())
	r.wg.Wait()
	return err
}

func (r *Relay) forward(dir int, in, out *net.UDPConn, rnd *rand.Rand) {
	pin, pout := ipv4.NewPacketConn(in), ipv4.NewPacketConn(out)
	rx := make([]ipv4.Message, relayBatch)
	for i := range rx {
		rx[i].Buffers = [][]byte{make([]byte, 65536)}
	}
	tx := make([]ipv4.Message, 0, relayBatch)
	for {
		n, err := pin.ReadBatch(rx, 0)
		if err != nil {
			if r.closed.Load() {
				return
			}
			continue // a transient error (ECONNREFUSED after a peer left): keep relaying
		}
		if dir == 0 && n > 0 && r.toA.Load() == nil {
			r.toA.Store(rx[0].Addr.(*net.UDPAddr))
		}
		dst := r.toB
		if dir == 1 {
			dst = r.toA.Load()
		}
		tx = tx[:0]
		for i := range n {
			m := &rx[i]
			if dst == nil || rnd.Float64() < r.drop {
				r.Dropped[dir].Add(1)
				continue
			}
			tx = append(tx, ipv4.Message{Buffers: [][]byte{m.Buffers[0][:m.N]}, Addr: dst})
		}
		for len(tx) > 0 {
			k, err := pout.WriteBatch(tx, 0)
			if err != nil {
				if r.closed.Load() {
					return
				}
				r.Dropped[dir].Add(1) // skip the datagram the kernel refused: lost
				tx = tx[1:]
				continue
			}
			r.Forwarded[dir].Add(uint64(k))
			tx = tx[k:]
		}
	}
}
