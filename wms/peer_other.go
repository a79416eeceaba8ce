//go:build !windows

package wms

import (
	"net"
	"time"

	"github.com/memogram/memogram/transport"
)

// Peer is a mailslot endpoint. Mailslots exist only on Windows: elsewhere
// Open always fails and no Peer is ever made; the methods exist so that
// portable code compiles.
type Peer struct{ settings }

// Open fails with an error matching transport.ErrUnsupported (and so
// errors.ErrUnsupported), after checking cfg like the Windows Open does.
func Open(cfg Config) (*Peer, error) {
	if _, err := cfg.settings(); err != nil {
		return nil, err
	}
	return nil, &net.OpError{Op: "listen", Net: Network, Addr: Addr{Name: cfg.Name}, Err: transport.ErrUnsupported}
}

func (p *Peer) Reopen() error                          { return transport.ErrUnsupported }
func (p *Peer) Close() error                           { return nil }
func (p *Peer) Opened() bool                           { return false }
func (p *Peer) SecurityDescriptor() (string, error)    { return "", transport.ErrUnsupported }
func (p *Peer) Receive() ([]byte, net.Addr, error)     { return nil, nil, transport.ErrUnsupported }
func (p *Peer) Send([]byte, net.Addr) (int, error)     { return 0, transport.ErrUnsupported }
func (p *Peer) ReadFrom([]byte) (int, net.Addr, error) { return 0, nil, transport.ErrUnsupported }
func (p *Peer) WriteTo([]byte, net.Addr) (int, error)  { return 0, transport.ErrUnsupported }
func (p *Peer) SetDeadline(time.Time) error            { return transport.ErrUnsupported }
func (p *Peer) SetReadDeadline(time.Time) error        { return transport.ErrUnsupported }
func (p *Peer) SetWriteDeadline(time.Time) error       { return transport.ErrUnsupported }
