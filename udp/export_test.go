package udp

import "syscall"

// RawConn exposes the current socket to the tests, without widening the
// package's API.
func RawConn(p *Peer) syscall.RawConn { return p.core.Load().RC }
