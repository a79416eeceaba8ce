package dgram

import "syscall"

// receiver reads datagrams without waiting into its own buffer. Its
// Control callback is bound once, so that polling an empty socket, which
// an event loop does on every pass, allocates nothing.
type receiver struct {
	buf []byte
	n   int
	sa  Sockaddr
	err error
	fn  func(uintptr)
}

// newReceiver returns a receiver with a buffer of size bytes, which Core
// makes one byte longer than the longest datagram wanted, so that a longer
// one shows as truncated instead of passing as whole.
func newReceiver(size int) *receiver {
	r := &receiver{buf: make([]byte, size)}
	r.fn = func(fd uintptr) { r.n, r.sa, r.err = recvfrom(fd, r.buf) }
	return r
}

// receive returns one datagram, valid until the next receive, and its
// source's sockaddr (nil for none); errAgain when none waits.
func (r *receiver) receive(rc syscall.RawConn) ([]byte, Sockaddr, error) {
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
