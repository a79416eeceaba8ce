//go:build linux || darwin

package uxd

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/memogram/memogram/internal/dgram"
	"github.com/memogram/memogram/transport"
)

func supported() error { return nil }

// fileID identifies a socket file, so that a file someone else bound after
// ours vanished is never removed.
type fileID struct{ dev, ino uint64 }

func idOf(fi fs.FileInfo) fileID {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}
	}
	return fileID{dev: uint64(st.Dev), ino: st.Ino}
}

var (
	errLive      = errors.New("a live socket is bound there")
	errNotSocket = errors.New("a file that is not a socket is in the way")
)

// removeStale removes a socket file at path that nobody is bound to
// (HIO-DEFECTS U2). Anything else at path is left alone and reported as the
// address being in use.
func removeStale(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return dgram.Kind(transport.ErrAddrInUse, errNotSocket)
	}
	// connect(2) on a datagram socket reaches the bound socket or fails
	// with ECONNREFUSED when the file has none; it sends nothing.
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: path, Net: "unixgram"})
	if err == nil {
		c.Close()
		return dgram.Kind(transport.ErrAddrInUse, errLive)
	}
	switch err := dgram.Cause(err); {
	case errors.Is(err, syscall.ENOENT):
		return nil
	case !errors.Is(err, syscall.ECONNREFUSED):
		// Not provably stale (a stream socket, no permission, ...).
		return dgram.Kind(transport.ErrAddrInUse, err)
	}
	if fi2, err := os.Lstat(path); err != nil || idOf(fi2) != idOf(fi) {
		return nil // replaced or gone meanwhile: bind decides
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove stale socket: %w", err)
	}
	return nil
}

// removeSocket removes the socket file at path if it is still the one id
// names.
func removeSocket(path string, id fileID) error {
	fi, err := os.Lstat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	if fi.Mode().Type() != fs.ModeSocket || idOf(fi) != id {
		return nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// listen binds a configured socket at path.
func listen(path string, set settings) (*sock, error) {
	lc := net.ListenConfig{Control: func(_, _ string, rc syscall.RawConn) error {
		var err error
		if cerr := rc.Control(func(fd uintptr) { err = prepare(int(fd), set) }); cerr != nil {
			return cerr
		}
		return err
	}}
	pc, err := lc.ListenPacket(context.Background(), "unixgram", path)
	if err != nil {
		return nil, err
	}
	conn := pc.(*net.UnixConn)
	s, err := describe(conn, path, set)
	if err != nil {
		conn.Close()
		os.Remove(path)
		return nil, err
	}
	return s, nil
}

// prepare runs before bind: raise the buffers as hio does, and restrict the
// socket's mode so that the file bind creates is never looser than wanted.
func prepare(fd int, set settings) error {
	for _, opt := range []int{unix.SO_SNDBUF, unix.SO_RCVBUF} {
		v, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, opt)
		if err != nil {
			return os.NewSyscallError("getsockopt", err)
		}
		if v < set.bs {
			if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, opt, set.bs); err != nil {
				return os.NewSyscallError("setsockopt", err)
			}
		}
	}
	if set.setPerm {
		return presetMode(fd, set.sockPerm)
	}
	return nil
}

// describe finishes a bound socket: exact mode, identity, datagram limit.
func describe(conn *net.UnixConn, path string, set settings) (*sock, error) {
	if set.setPerm {
		// Widens the mode where the process umask was stricter than
		// Umask; presetMode already made sure it was never wider.
		if err := os.Chmod(path, set.sockPerm); err != nil {
			return nil, err
		}
	}
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	rc, err := conn.SyscallConn()
	if err != nil {
		return nil, err
	}
	snd, _, err := sockBufs(rc)
	if err != nil {
		return nil, err
	}
	return &sock{conn: conn, rc: rc, max: maxDatagram(snd), id: idOf(fi)}, nil
}

func sockBufs(rc syscall.RawConn) (snd, rcv int, err error) {
	var serr, rerr error
	cerr := rc.Control(func(fd uintptr) {
		snd, serr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_SNDBUF)
		rcv, rerr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF)
	})
	if err := errors.Join(cerr, serr, rerr); err != nil {
		return 0, 0, err
	}
	return snd, rcv, nil
}

// receiver reads datagrams without waiting into its own buffer. Its
// Control callback is bound once, so that polling an empty socket, which
// an event loop does on every pass, allocates nothing.
type receiver struct {
	buf []byte
	n   int
	sa  unix.Sockaddr
	err error
	fn  func(uintptr)
}

func newReceiver(size int) *receiver {
	r := &receiver{buf: make([]byte, size)}
	r.fn = r.recvfrom
	return r
}

func (r *receiver) recvfrom(fd uintptr) {
	for {
		r.n, r.sa, r.err = unix.Recvfrom(int(fd), r.buf, unix.MSG_DONTWAIT)
		if r.err != unix.EINTR {
			return
		}
	}
}

// receive returns one datagram, or syscall.EAGAIN when none waits.
func (r *receiver) receive(rc syscall.RawConn) ([]byte, net.Addr, error) {
	if err := rc.Control(r.fn); err != nil {
		return nil, nil, err
	}
	sa := r.sa
	r.sa = nil
	if r.err != nil {
		return nil, nil, r.err
	}
	if u, ok := sa.(*unix.SockaddrUnix); ok && u.Name != "" {
		return r.buf[:r.n], &net.UnixAddr{Name: u.Name, Net: "unixgram"}, nil
	}
	return r.buf[:r.n], nil, nil
}

// sender sends datagrams without waiting. Like receiver it binds its
// Control callback once, so that retrying a send that would block
// allocates nothing; its mutex serializes concurrent senders.
type sender struct {
	mu   sync.Mutex
	sa   unix.SockaddrUnix
	data []byte
	err  error
	fn   func(uintptr)
}

func newSender() *sender {
	s := &sender{}
	s.fn = s.sendto
	return s
}

func (s *sender) sendto(fd uintptr) {
	for {
		s.err = unix.Sendto(int(fd), s.data, unix.MSG_DONTWAIT, &s.sa)
		if s.err != unix.EINTR {
			return
		}
	}
}

// send sends one datagram to the socket at path dst.
func (s *sender) send(rc syscall.RawConn, data []byte, dst string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	// A fresh value: x/sys fills the raw address without clearing what a
	// longer earlier path left behind it.
	s.sa = unix.SockaddrUnix{Name: dst}
	s.data = data
	err := rc.Control(s.fn)
	s.data = nil
	if err != nil {
		return err
	}
	return s.err
}
