package uxd

import (
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// PathMax is the longest socket path in bytes: Linux's sun_path holds 108
// bytes including the terminating zero.
const PathMax = 107

// maxDatagram is Linux's limit for one unix datagram, SO_SNDBUF − 32
// (unix_dgram_sendmsg), capped at hio's gram size.
func maxDatagram(sndbuf int) int { return max(0, min(MaxGramSize, sndbuf-32)) }

// presetMode restricts the socket inode before bind: Linux creates the
// socket file with the socket's mode minus the process umask, so there is
// no moment at which the file is looser than perm.
func presetMode(fd int, perm fs.FileMode) error {
	if err := unix.Fchmod(fd, uint32(perm)); err != nil {
		return os.NewSyscallError("fchmod", err)
	}
	return nil
}
