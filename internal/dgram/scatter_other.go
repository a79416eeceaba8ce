//go:build !linux

package dgram

import "net"

// readScatter is the fallback elsewhere: ReadFrom, then a copy.
func (c *Core[D]) readScatter(_ *Sock, parts [][]byte) (int, net.Addr, error) {
	return c.readScattered(parts)
}
