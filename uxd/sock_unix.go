//go:build linux || darwin

package uxd

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
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

// listen binds a configured socket at path and returns it with the
// identity of its file.
func listen(path string, set settings) (*dgram.Sock, fileID, error) {
	lc := net.ListenConfig{Control: dgram.Control(func(fd uintptr) error { return prepare(fd, set) })}
	pc, err := lc.ListenPacket(context.Background(), "unixgram", path)
	if err != nil {
		return nil, fileID{}, err
	}
	conn := pc.(*net.UnixConn)
	s, id, err := describe(conn, path, set)
	if err != nil {
		conn.Close()
		os.Remove(path)
		return nil, fileID{}, err
	}
	return s, id, nil
}

// prepare runs before bind: raise the buffers as hio does, and restrict the
// socket's mode so that the file bind creates is never looser than wanted.
func prepare(fd uintptr, set settings) error {
	if err := dgram.RaiseBuffers(fd, set.bs); err != nil {
		return err
	}
	return presetMode(int(fd), set.sockPerm)
}

// describe finishes a bound socket: exact mode, identity, datagram limit.
func describe(conn *net.UnixConn, path string, set settings) (*dgram.Sock, fileID, error) {
	// Widens the mode where the process umask was stricter than wanted;
	// presetMode already made sure it was never wider.
	if err := os.Chmod(path, set.sockPerm); err != nil {
		return nil, fileID{}, err
	}
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, fileID{}, err
	}
	s, err := dgram.NewSock(conn)
	if err != nil {
		return nil, fileID{}, err
	}
	snd, _, err := dgram.SockBufs(s.RC)
	if err != nil {
		return nil, fileID{}, err
	}
	s.Max = maxDatagram(snd)
	return s, idOf(fi), nil
}

// source is the address of a received datagram's sockaddr: the sender's
// bound path, or nil (untyped) when it is not bound.
func source(sa dgram.Sockaddr) net.Addr {
	if u, ok := sa.(*unix.SockaddrUnix); ok && u.Name != "" {
		return &net.UnixAddr{Name: u.Name, Net: "unixgram"}
	}
	return nil
}

// sockaddrs returns the Spec.Sockaddr that turns a destination path into a
// sockaddr: into one value, reused, so that sending allocates nothing.
func sockaddrs() func(dest) (dgram.Sockaddr, error) {
	var sa unix.SockaddrUnix
	return func(path dest) (dgram.Sockaddr, error) {
		// A fresh value: x/sys fills the raw address without clearing
		// what a longer earlier path left behind it.
		sa = unix.SockaddrUnix{Name: string(path)}
		return &sa, nil
	}
}
