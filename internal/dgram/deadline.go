package dgram

import "time"

// SetDeadline sets the read and write deadlines.
func (c *Core[D]) SetDeadline(t time.Time) error {
	if err := c.SetReadDeadline(t); err != nil {
		return err
	}
	return c.SetWriteDeadline(t)
}

// SetReadDeadline sets the deadline of ReadFrom, on the socket (the
// netpoller enforces it) and for the sockets Reopen makes.
func (c *Core[D]) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rdl.Store(unixNano(t))
	if s := c.cur.Load(); s != nil {
		return s.Conn.SetReadDeadline(t)
	}
	return nil
}

// SetWriteDeadline sets the deadline of WriteTo. WriteTo checks it itself
// and only its wait for writability uses the socket's write deadline, so
// that Send and WriteTo's first attempt bypass it.
func (c *Core[D]) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.wdl.Store(unixNano(t))
	if s := c.cur.Load(); s != nil {
		// Wake a waiting WriteTo so that it applies the new deadline.
		return s.Conn.SetWriteDeadline(time.Now())
	}
	return nil
}

func (c *Core[D]) writeDeadlinePassed() bool {
	dl := c.wdl.Load()
	return dl != 0 && time.Now().UnixNano() >= dl
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return max(t.UnixNano(), 1)
}
