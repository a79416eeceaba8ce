package uxd

import (
	"io/fs"

	"golang.org/x/sys/unix"
)

// PathMax is the longest socket path in bytes: macOS's sun_path holds 104
// bytes including the terminating zero.
const PathMax = 103

// maxDatagram is macOS's limit for one unix datagram: the
// net.local.dgram.maxdgram sysctl (2048 by default) and the send buffer,
// capped at hio's gram size.
func maxDatagram(sndbuf int) int {
	m := min(MaxGramSize, sndbuf)
	if v, err := unix.SysctlUint32("net.local.dgram.maxdgram"); err == nil {
		m = min(m, int(v))
	}
	return m
}

// presetMode does nothing: macOS ignores a socket's own mode at bind, so
// between bind and the chmod that follows it the file has the mode the
// process umask gives. Put the socket in a directory only its owner can
// search (a temporary peer's is) when that window matters.
func presetMode(int, fs.FileMode) error { return nil }
