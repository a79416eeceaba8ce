package uxd_test

import (
	"testing"

	"golang.org/x/sys/unix"

	"github.com/memogram/memogram/internal/dgram/dgramtest"
	"github.com/memogram/memogram/uxd"
)

// TestTruncatedDropped: a datagram longer than MaxReceiveSize is dropped
// whole; the next one is delivered (U8).
func TestTruncatedDropped(t *testing.T) {
	p := openAt(t, shortDir(t), "p")
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	big := uxd.MaxReceiveSize + 100
	// SO_SNDBUFFORCE ignores wmem_max but needs CAP_NET_ADMIN.
	if unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUFFORCE, 2*big) != nil {
		_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, 2*big)
	}
	to := &unix.SockaddrUnix{Name: p.LocalAddr().String()}
	if err := unix.Sendto(fd, make([]byte, big), 0, to); err != nil {
		t.Skipf("cannot send a %d-byte unix datagram here: %v", big, err)
	}
	for _, recv := range []string{"Receive", "ReadFrom"} {
		if recv == "ReadFrom" {
			if err := unix.Sendto(fd, make([]byte, big), 0, to); err != nil {
				t.Fatal(err)
			}
		}
		if err := unix.Sendto(fd, []byte("small"), 0, to); err != nil {
			t.Fatal(err)
		}
		var got string
		if recv == "Receive" {
			data, _ := dgramtest.Receive(t, p)
			got = string(data)
		} else {
			buf := make([]byte, uxd.MaxReceiveSize+10)
			n, _, err := p.ReadFrom(buf)
			if err != nil {
				t.Fatal(err)
			}
			got = string(buf[:n])
		}
		if got != "small" {
			t.Fatalf("%s after an oversized datagram: %d bytes, want the next one", recv, len(got))
		}
	}
}
