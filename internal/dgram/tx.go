package dgram

import (
	"sync"
	"syscall"
)

// Sender sends datagrams to destinations of type D without waiting. Like
// Receiver it binds its Control callback once, so that retrying a send
// that would block allocates nothing; its mutex serializes concurrent
// senders.
type Sender[D any] struct {
	mu   sync.Mutex
	to   func(D) (Sockaddr, error)
	sa   Sockaddr
	data []byte
	err  error
	fn   func(uintptr)
}

// NewSender returns a Sender that turns a destination into a sockaddr with
// to. Sender calls to with its mutex held and is done with the result
// before the next call, so to may fill one sockaddr it keeps and return
// it: building one per datagram would allocate.
func NewSender[D any](to func(D) (Sockaddr, error)) *Sender[D] {
	s := &Sender[D]{to: to}
	s.fn = func(fd uintptr) { s.err = sendto(fd, s.data, s.sa) }
	return s
}

// Send sends data to dst as one datagram.
func (s *Sender[D]) Send(rc syscall.RawConn, data []byte, dst D) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sa, err := s.to(dst)
	if err != nil {
		return err
	}
	s.sa, s.data = sa, data
	err = rc.Control(s.fn)
	s.sa, s.data = nil, nil
	if err != nil {
		return err
	}
	return s.err
}
