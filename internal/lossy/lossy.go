// Package lossy wraps a net.PacketConn so that what it writes is dropped,
// duplicated, reordered and delayed at seeded random, for tests of Sure
// delivery and for memogram's --drop testing aid. Wrap both ends of a link
// to make it lossy in both directions.
package lossy

import (
	"math/rand/v2"
	"net"
	"sync"
	"time"
)

// Config says what happens to each datagram written. Rates are
// probabilities in [0, 1].
type Config struct {
	Drop    float64       // the datagram is not sent
	Dup     float64       // it is sent twice
	Reorder float64       // it is held back and sent after the next one (or after Hold)
	Delay   time.Duration // every datagram is sent this much later…
	Jitter  time.Duration // …plus up to this much more, at random (which reorders too)
	Hold    time.Duration // how long a reordered datagram waits at most; 0 means 1 ms
	Seed    uint64
}

// Stats counts what the wrapper did.
type Stats struct {
	Written, Dropped, Duplicated, Reordered, Delayed uint64
}

// Conn is a lossy net.PacketConn.
type Conn struct {
	net.PacketConn
	cfg    Config
	mu     sync.Mutex
	rnd    *rand.Rand
	stats  Stats
	held   *held
	timers map[*time.Timer]struct{}
	down   bool
	closed bool
}

type held struct {
	b   []byte
	dst net.Addr
	t   *time.Timer
}

// New wraps c.
func New(c net.PacketConn, cfg Config) *Conn {
	if cfg.Hold <= 0 {
		cfg.Hold = time.Millisecond
	}
	return &Conn{PacketConn: c, cfg: cfg, rnd: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)), timers: make(map[*time.Timer]struct{})}
}

// SetDown drops everything written and read from now on (true) or stops
// doing so: a peer that vanished, or came back.
func (c *Conn) SetDown(down bool) {
	c.mu.Lock()
	c.down = down
	c.mu.Unlock()
}

// Stats returns the counters so far.
func (c *Conn) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}

// MaxDatagramSize forwards the wrapped conn's limit, if it has one.
func (c *Conn) MaxDatagramSize() int {
	if m, ok := c.PacketConn.(interface{ MaxDatagramSize() int }); ok {
		return m.MaxDatagramSize()
	}
	return 65535
}

// ReadFrom reads from the wrapped conn; while down, what arrives is dropped.
func (c *Conn) ReadFrom(b []byte) (int, net.Addr, error) {
	for {
		n, a, err := c.PacketConn.ReadFrom(b)
		c.mu.Lock()
		down := c.down
		c.mu.Unlock()
		if err != nil || !down {
			return n, a, err
		}
	}
}

// WriteTo sends b to dst, or not, or twice, or later. It reports success
// whatever happens to the datagram, as a lossy network would.
func (c *Conn) WriteTo(b []byte, dst net.Addr) (int, error) {
	c.mu.Lock()
	c.stats.Written++
	if c.down || c.rnd.Float64() < c.cfg.Drop {
		if !c.down {
			c.stats.Dropped++
		}
		c.mu.Unlock()
		return len(b), nil
	}
	copies := 1
	if c.rnd.Float64() < c.cfg.Dup {
		copies = 2
		c.stats.Duplicated++
	}
	var delay time.Duration
	if c.cfg.Delay > 0 || c.cfg.Jitter > 0 {
		delay = c.cfg.Delay
		if c.cfg.Jitter > 0 {
			delay += time.Duration(c.rnd.Int64N(int64(c.cfg.Jitter)))
		}
	}
	reorder := c.held == nil && c.rnd.Float64() < c.cfg.Reorder
	prev := c.held
	c.held = nil
	if prev != nil {
		prev.t.Stop()
		delete(c.timers, prev.t)
	}
	if reorder {
		c.stats.Reordered++
		h := &held{b: append([]byte(nil), b...), dst: dst}
		h.t = time.AfterFunc(c.cfg.Hold, func() { c.release(h) })
		c.timers[h.t] = struct{}{}
		c.held = h
		copies--
	}
	var later []byte
	if delay > 0 && copies > 0 {
		c.stats.Delayed++
		later = append([]byte(nil), b...)
		for range copies {
			c.after(delay, later, dst)
		}
		copies = 0
	}
	c.mu.Unlock()
	var err error
	for range copies {
		_, err = c.PacketConn.WriteTo(b, dst)
	}
	if prev != nil { // the held datagram goes after this one
		_, _ = c.PacketConn.WriteTo(prev.b, prev.dst)
	}
	if err != nil {
		return 0, err
	}
	return len(b), nil
}

// after sends b to dst after d. Caller holds c.mu.
func (c *Conn) after(d time.Duration, b []byte, dst net.Addr) {
	var t *time.Timer
	t = time.AfterFunc(d, func() {
		c.mu.Lock()
		_, live := c.timers[t]
		delete(c.timers, t)
		c.mu.Unlock()
		if live {
			_, _ = c.PacketConn.WriteTo(b, dst)
		}
	})
	c.timers[t] = struct{}{}
}

func (c *Conn) release(h *held) {
	c.mu.Lock()
	if c.held != h {
		c.mu.Unlock()
		return
	}
	c.held = nil
	delete(c.timers, h.t)
	c.mu.Unlock()
	_, _ = c.PacketConn.WriteTo(h.b, h.dst)
}

// Close stops what is pending and closes the wrapped conn.
func (c *Conn) Close() error {
	c.mu.Lock()
	for t := range c.timers {
		t.Stop()
	}
	clear(c.timers)
	c.held = nil
	c.closed = true
	c.mu.Unlock()
	return c.PacketConn.Close()
}
