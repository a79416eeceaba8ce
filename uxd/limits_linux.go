package uxd

import (
	"bufio"
	"io/fs"
	"os"
	"strconv"
	"strings"

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

// processUmask reads the umask without changing it (Linux 4.7 and later):
// os.Umask-style reads set it, which races with other goroutines.
func processUmask() (fs.FileMode, bool) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "Umask:"); ok {
			m, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32)
			return fs.FileMode(m) & fs.ModePerm, err == nil
		}
	}
	return 0, false
}
