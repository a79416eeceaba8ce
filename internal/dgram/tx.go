package dgram

import (
	"sync"
	"syscall"
)

// sender sends datagrams to destinations of type D without waiting. Like
// receiver it binds its Control callback once, so that retrying a send
// that would block allocates nothing; its mutex serializes concurrent
// senders.
type sender[D any] struct {
	mu   sync.Mutex
	to   func(D) (Sockaddr, error)
	sa   Sockaddr
	data []byte
	err  error
	fn   func(uintptr)
}

// newSender returns a sender that turns a destination into a sockaddr with
// to (Spec.Sockaddr).
func newSender[D any](to func(D) (Sockaddr, error)) *sender[D] {
	s := &sender[D]{to: to}
	s.fn = func(fd uintptr) { s.err = sendto(fd, s.data, s.sa) }
	return s
}

// send sends data to dst as one datagram.
func (s *sender[D]) send(rc syscall.RawConn, data []byte, dst D) error {
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
