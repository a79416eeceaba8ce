package wms

import (
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/windows"

	"github.com/memogram/memogram/transport"
)

// maxWriters bounds the handle cache; past it an arbitrary entry goes. hio
// peers talk to a handful of others, so eviction is rare and its order moot.
const maxWriters = 256

// writer is a client handle to one destination slot. It is closed when its
// last reference goes: the cache holds one while the handle is cached, and
// every send in flight holds one, so that Close or an eviction never closes
// a handle under a WriteFile (which may block under Wine, §8 #5).
type writer struct {
	h    windows.Handle
	key  string // cache key; "" once out of the cache
	refs int    // guarded by Peer.wmu
}

// Send writes data as one message to the slot dst names, without waiting
// (on Windows a mailslot write never waits; under Wine a write to a slot
// whose queue is full blocks until its reader catches up, docs/mailslots.md §8 #5).
// dst is an Addr, a *Addr, or any net.Addr whose String is a slot name.
//
// Errors are *net.OpError values of Op "write", as WriteTo's. A missing
// slot matches transport.ErrNoDestination and windows.ERROR_FILE_NOT_FOUND;
// a datagram over MaxDatagramSize wraps a *transport.DatagramTooLargeError;
// an empty one ErrEmptyDatagram.
//
// The writer handle is kept for the next Send to the same slot (names
// compared without regard to case). If a write through a kept handle fails,
// as it does on Windows once that slot has closed, the handle is dropped and
// the write tried once more on a fresh one, which reaches the slot if it has
// been created again. Where writer handles keep a closed slot alive (Wine 8,
// see writersPinSlots) no handle is kept.
func (p *Peer) Send(data []byte, dst net.Addr) (int, error) {
	to, err := destination(dst)
	if err != nil {
		return 0, p.opError("write", dst, err)
	}
	switch {
	case p.closed.Load():
		err = net.ErrClosed
	case len(data) == 0:
		err = ErrEmptyDatagram
	case len(data) > p.max:
		err = &transport.DatagramTooLargeError{Size: len(data), Max: p.max}
	}
	if err != nil {
		return 0, p.opError("write", dst, err)
	}
	n, err := p.write(to, data)
	if err != nil {
		return 0, p.opError("write", dst, withKind(err))
	}
	if p.wirelog != nil { // checked here: boxing to into a net.Addr allocates
		p.wirelog.Tx(to, data)
	}
	return n, nil
}

// WriteTo is Send for net.PacketConn users: it honours the write deadline.
func (p *Peer) WriteTo(b []byte, addr net.Addr) (int, error) {
	if p.closed.Load() {
		return 0, p.opError("write", addr, net.ErrClosed)
	}
	if dl := p.wdl.Load(); dl != 0 && !time.Now().Before(time.Unix(0, dl)) {
		return 0, p.opError("write", addr, os.ErrDeadlineExceeded)
	}
	return p.Send(b, addr)
}

func destination(dst net.Addr) (Addr, error) {
	switch a := dst.(type) {
	case nil:
	case Addr:
		return ParseAddr(a.Name)
	case *Addr:
		if a != nil {
			return ParseAddr(a.Name)
		}
	default:
		return ParseAddr(a.String())
	}
	return Addr{}, transport.ErrNoDestination
}

// write sends one message through a cached or fresh writer handle.
func (p *Peer) write(to Addr, data []byte) (int, error) {
	var kb [128]byte // the key is built on the stack, and the map lookup with string(key) does not copy it
	key := foldKey(kb[:0], to.Name)
	for retried := false; ; retried = true {
		w, cached, err := p.acquire(key, to)
		if err != nil {
			return 0, err
		}
		var n uint32
		err = windows.WriteFile(w.h, data, &n, nil)
		if err == nil && int(n) != len(data) {
			err = io.ErrShortWrite // a message is all or nothing; not expected
		}
		p.release(w, err != nil)
		if err == nil {
			return int(n), nil
		}
		if !cached || retried {
			return 0, err
		}
	}
}

// acquire returns a referenced writer for the slot, from the cache or newly
// opened, and whether it came from the cache.
func (p *Peer) acquire(key []byte, to Addr) (*writer, bool, error) {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	if p.closed.Load() {
		return nil, false, net.ErrClosed
	}
	if w := p.writers[string(key)]; w != nil {
		w.refs++
		return w, true, nil
	}
	// Opening under wmu is fine: CreateFile on a mailslot does not wait.
	h, err := openWriter(to.Path())
	if err != nil {
		return nil, false, err
	}
	p.opens.Add(1)
	w := &writer{h: h, refs: 1}
	if p.cache {
		if len(p.writers) >= maxWriters {
			for _, old := range p.writers {
				p.uncache(old)
				break
			}
		}
		if p.writers == nil {
			p.writers = make(map[string]*writer)
		}
		w.key = string(key)
		w.refs++
		p.writers[w.key] = w
	}
	return w, false, nil
}

// release gives back a send's reference; after a failed write the handle
// also leaves the cache, since its slot may be gone.
func (p *Peer) release(w *writer, failed bool) {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	if failed && w.key != "" && p.writers[w.key] == w {
		p.uncache(w)
		p.drops.Add(1)
	}
	p.unref(w)
}

// dropWriters empties the cache. The caller holds wmu or owns the Peer alone.
func (p *Peer) dropWriters() {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	for _, w := range p.writers {
		p.uncache(w)
	}
}

func (p *Peer) uncache(w *writer) {
	delete(p.writers, w.key)
	w.key = ""
	p.unref(w)
}

func (p *Peer) unref(w *writer) {
	w.refs--
	if w.refs == 0 {
		// Nothing can be done about a failed close of a client handle.
		_ = windows.CloseHandle(w.h)
	}
}

// openWriter opens a client handle. FILE_SHARE_WRITE as well as
// FILE_SHARE_READ, or Wine refuses a second writer (docs/mailslots.md §8 #6);
// OPEN_EXISTING, so that a missing slot is an error and nothing is created.
func openWriter(path string) (windows.Handle, error) {
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return windows.InvalidHandle, err
	}
	return windows.CreateFile(p, windows.GENERIC_WRITE,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE, nil,
		windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL, 0)
}

// writersPinSlots reports whether an open writer handle keeps a mailslot
// alive after its server handle closes. On Windows it does not: the mailslot
// driver removes the name when the server handle goes and fails later writes
// through old writer handles. Under Wine 8.0 it does: those writes succeed
// into a slot nobody reads, and creating the name again fails with
// ERROR_ALREADY_EXISTS until every writer handle is closed. Cached handles
// there would lose messages silently and keep a peer from ever Reopen-ing,
// so Peers cache none. The answer comes from trying it once, not from the
// Wine version: newer Wine releases reimplemented mailslots.
var writersPinSlots = sync.OnceValue(func() bool {
	name := fmt.Sprintf(`%smemogram\wms_probe\%d_%s`, LocalPrefix, os.Getpid(), strings.ToLower(rand.Text()[:tempRandLength]))
	path, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return true
	}
	// When the probe cannot finish, assume the worst: not caching costs
	// speed only.
	server, err := createMailslot(path, 0, 0, nil)
	if err != nil {
		return true
	}
	client, err := openWriter(name)
	_ = windows.CloseHandle(server)
	if err != nil {
		return true
	}
	again, err := createMailslot(path, 0, 0, nil)
	_ = windows.CloseHandle(client)
	if err != nil {
		return true
	}
	_ = windows.CloseHandle(again)
	return false
})
