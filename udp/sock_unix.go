//go:build unix

package udp

import (
	"errors"
	"time"

	"golang.org/x/sys/unix"
)

var errAgain error = unix.EAGAIN

func noDestination(err error) bool { return errors.Is(err, unix.ECONNREFUSED) }

// transient receive errors report an ICMP error for an earlier send, not a
// problem of this socket (HIO-DEFECTS R5).
func transient(err error) bool {
	return errors.Is(err, unix.ECONNREFUSED) || errors.Is(err, unix.ECONNRESET)
}

// waitWritable waits for the netpoller's next writability edge, at most
// until then.
func waitWritable(s *sock, until time.Time) error {
	if err := s.conn.SetWriteDeadline(until); err != nil {
		return err
	}
	first := true
	return s.rc.Write(func(uintptr) bool {
		if first {
			first = false
			return false
		}
		return true
	})
}
