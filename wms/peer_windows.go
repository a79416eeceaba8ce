package wms

import (
	"fmt"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/windows"

	"github.com/memogram/memogram/transport"
)

// Peer is a mailslot endpoint: the server (reading) handle of one slot, plus
// cached writer handles to the slots it sends to. It is safe for concurrent
// use; reads are serialised, sends to different slots are not.
type Peer struct {
	settings
	sddl string // built once at Open; Reopen reuses it

	closed atomic.Bool
	rdl    atomic.Int64 // read deadline, Unix nanoseconds, 0 = none
	wdl    atomic.Int64 // write deadline, likewise

	// rmu serialises the reading side: ReadFile, buf and the slot's read
	// timeout. mu guards slot for the callers that do not read. Whoever
	// replaces or closes slot holds both, rmu first, so no read can be
	// running on a handle that is being closed (and whose number Windows
	// may hand out again).
	rmu     sync.Mutex
	buf     []byte // Receive's, max+1 bytes: one more than accepted shows an oversize message
	rbuf    []byte // ReadFrom's, likewise, made at the first ReadFrom
	timeout uint32 // the slot's current read timeout, in ms
	mu      sync.Mutex
	slot    windows.Handle
	rxBlock error // Receive's would-block error, made once so that polling allocates nothing

	wmu     sync.Mutex
	writers map[string]*writer // by foldKey of the destination name
	cache   bool               // whether writers are kept between sends

	// Counters that tests use to see what happened inside.
	waits atomic.Int64 // ReadFrom waits that ended with nothing to read
	opens atomic.Int64 // writer handles opened
	drops atomic.Int64 // cached writer handles dropped after a failed write
}

// Open creates the mailslot described by cfg. A name that is taken fails
// with a *net.OpError matching transport.ErrAddrInUse and
// windows.ERROR_ALREADY_EXISTS.
func Open(cfg Config) (*Peer, error) {
	s, err := cfg.settings()
	if err != nil {
		return nil, err
	}
	sddl, err := s.descriptor()
	if err != nil {
		return nil, err
	}
	p := &Peer{
		settings: s,
		sddl:     sddl,
		slot:     windows.InvalidHandle,
		buf:      make([]byte, s.max+1),
		cache:    !writersPinSlots(),
	}
	p.rxBlock = p.opError("read", nil, transport.ErrWouldBlock)
	p.rmu.Lock()
	defer p.rmu.Unlock()
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.create(); err != nil {
		return nil, err
	}
	return p, nil
}

// create makes the slot. The caller holds rmu and mu.
func (p *Peer) create() error {
	sa, err := securityAttributes(p.sddl)
	if err != nil {
		return err
	}
	path, err := windows.UTF16PtrFromString(p.addr.Path())
	if err != nil {
		return p.listenError(err)
	}
	// Read timeout 0: Receive must never wait. ReadFrom raises it while it
	// waits (see readLocked).
	h, err := createMailslot(path, uint32(p.max), 0, sa)
	if err != nil {
		return p.listenError(withKind(err))
	}
	p.slot, p.timeout = h, 0
	return nil
}

// Reopen closes the slot if it is open and creates it again under the same
// name; it also revives a closed Peer. Messages queued in the old slot are
// lost, as they are when a slot closes. If the name cannot be taken again
// the Peer stays closed.
func (p *Peer) Reopen() error {
	p.rmu.Lock()
	defer p.rmu.Unlock()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.slot != windows.InvalidHandle {
		// A failed close leaves nothing to do but go on: the handle is
		// unusable either way, and create reports whether the name is free.
		_ = windows.CloseHandle(p.slot)
		p.slot = windows.InvalidHandle
	}
	if err := p.create(); err != nil {
		p.closed.Store(true)
		return err
	}
	p.closed.Store(false)
	return nil
}

// Close closes the slot and every cached writer handle. A ReadFrom blocked
// in another goroutine returns net.ErrClosed within about one PollInterval,
// and Close waits for that, so the handle is never closed under a read.
// Closing a closed Peer returns nil.
func (p *Peer) Close() error {
	p.closed.Store(true) // first, so a blocked ReadFrom stops and frees rmu
	p.rmu.Lock()
	defer p.rmu.Unlock()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed.Store(true) // again: a Reopen may have slipped in before rmu
	p.dropWriters()
	if p.slot == windows.InvalidHandle {
		return nil
	}
	err := windows.CloseHandle(p.slot)
	p.slot = windows.InvalidHandle
	if err != nil {
		return p.opError("close", nil, err)
	}
	return nil
}

// Opened reports whether the slot is open.
func (p *Peer) Opened() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.slot != windows.InvalidHandle
}

// kindOf maps a Win32 error to the transport sentinel it stands for.
func kindOf(err error) error {
	switch err {
	case windows.ERROR_FILE_NOT_FOUND, windows.ERROR_PATH_NOT_FOUND:
		return transport.ErrNoDestination
	case windows.ERROR_ALREADY_EXISTS:
		return transport.ErrAddrInUse
	}
	return nil
}

// withKind joins a Win32 error with the transport sentinel it stands for,
// if any, so that errors.Is matches both: a missing destination matches
// transport.ErrNoDestination and windows.ERROR_FILE_NOT_FOUND.
func withKind(err error) error {
	if k := kindOf(err); k != nil {
		return fmt.Errorf("%w: %w", k, err)
	}
	return err
}
