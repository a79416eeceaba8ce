package memo

import (
	"errors"
	"syscall"
)

// On Windows a UDP socket reports WSAECONNRESET on receive after an earlier
// send reached a closed port (HIO-DEFECTS R5).
func isConnReset(err error) bool {
	return errors.Is(err, syscall.Errno(10054)) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED)
}
