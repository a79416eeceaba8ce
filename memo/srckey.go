package memo

import (
	"bytes"
	"crypto/ed25519"
	"net"
)

// srcKeyCache remembers the string key of the last transport source, so
// that the grams of one sender, which transports hand over with one shared
// net.Addr (transport.Message), are keyed without formatting the address
// each time. Only pointer addresses are cached: comparing them is cheap and
// never panics, and the string is checked against the address's fields so
// that a modified address is not mistaken for the one remembered.
type srcKeyCache struct {
	addr net.Addr
	ip   []byte
	port int
	name string
	str  string
}

func (c *srcKeyCache) key(src net.Addr) string {
	switch a := src.(type) {
	case *net.UDPAddr:
		if c.addr == src && a.Port == c.port && bytes.Equal(a.IP, c.ip) && c.name == a.Zone {
			return c.str
		}
		c.addr, c.ip, c.port, c.name, c.str = src, append(c.ip[:0], a.IP...), a.Port, a.Zone, a.String()
		return c.str
	case *net.UnixAddr:
		if c.addr == src && a.Name == c.name {
			return c.str
		}
		c.addr, c.ip, c.port, c.name, c.str = src, c.ip[:0], 0, a.Name, a.String()
		return c.str
	}
	return src.String()
}

// check verifies g under pub, using the verdict made ahead of this Add
// when it was made for pub: the same ed25519.Verify, done earlier on
// another core.
func (r *Reassembler) check(g *Gram, pub ed25519.PublicKey) bool {
	if v := r.pre; v != nil && bytes.Equal(v.pub, pub) {
		return v.ok
	}
	return g.Verify(pub)
}

// candidateKey is the key of the first signed memo in progress for (src,
// mid), nil for none: the key a later signed gram is tried under first.
func (r *Reassembler) candidateKey(src net.Addr, mid MID) ed25519.PublicKey {
	key := groupKey{mid: mid}
	if src != nil {
		key.src = r.src.key(src)
	}
	if grp := r.groups[key]; grp != nil && len(grp.signed) > 0 {
		return grp.signed[0].pub
	}
	return nil
}
