package dgram

import "syscall"

// Receiver reads datagrams without waiting into its own buffer. Its
// Control callback is bound once, so that polling an empty socket, which
// an event loop does on every pass, allocates nothing.
type Receiver struct {
	buf []byte
	n   int
	sa  Sockaddr
	err error
	fn  func(uintptr)
}

// NewReceiver returns a Receiver with a buffer of size bytes; make it one
// byte longer than the longest datagram wanted, so that a longer one shows
// as truncated instead of passing as whole.
func NewReceiver(size int) *Receiver {
	r := &Receiver{buf: make([]byte, size)}
	r.fn = func(fd uintptr) { r.n, r.sa, r.err = recvfrom(fd, r.buf) }
	return r
}

// Receive returns one datagram, valid until the next Receive, and its
// source's sockaddr (nil for none); errAgain when none waits.
func (r *Receiver) Receive(rc syscall.RawConn) ([]byte, Sockaddr, error) {
	if err := rc.Control(r.fn); err != nil {
		return nil, nil, err
	}
	sa := r.sa
	r.sa = nil
	if r.err != nil {
		return nil, nil, r.err
	}
	return r.buf[:r.n], sa, nil
}
