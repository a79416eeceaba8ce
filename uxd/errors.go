package uxd

import (
	"errors"
	"net"
	"syscall"

	"github.com/memogram/memogram/internal/dgram"
)

// ErrPathTooLong is matched by the error Open returns when the socket path
// does not fit the kernel's sun_path (PathMax bytes; HIO-DEFECTS U5).
var ErrPathTooLong = errors.New("socket path too long")

// network is the network of every error's *net.OpError and of the
// addresses, as the net package names unix datagram sockets.
const network = "unixgram"

// opError wraps err as the net package does for an operation on the
// socket: "read", "write" (to dst, nil for none) or "close".
func (p *Peer) opError(op string, dst net.Addr, err error) error {
	return dgram.OpError(op, network, p.LocalAddr(), dst, err)
}

// listenError wraps a failure to bind as net.ListenPacket does: the
// address being bound is the Addr, there is no Source. Before the path is
// known there is no address at all.
func (p *Peer) listenError(err error) error {
	var at net.Addr
	if p.path != "" {
		at = p.LocalAddr()
	}
	return dgram.OpError("listen", network, nil, at, err)
}

// noDestination: no file at the path, or a file nobody is bound to.
func noDestination(err error) bool {
	return errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED)
}
