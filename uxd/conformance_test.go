//go:build linux || darwin

package uxd_test

import (
	"fmt"
	"net"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/memogram/memogram/internal/transporttest"
	"github.com/memogram/memogram/transport"
	"github.com/memogram/memogram/uxd"
)

func TestConformance(t *testing.T) {
	var seq atomic.Int64
	dir := shortDir(t)
	fresh := func() string { return filepath.Join(dir, fmt.Sprintf("c%d.uxd", seq.Add(1))) }
	transporttest.Run(t, transporttest.Transport{
		Net: "unixgram",
		OpenAt: transporttest.Opener(func(path string) (*uxd.Peer, error) {
			return uxd.Open(uxd.Config{Path: path})
		}),
		Fresh:        func(*testing.T) string { return fresh() },
		Resolve:      func(s string) (net.Addr, error) { return net.ResolveUnixAddr("unixgram", s) },
		Missing:      func(*testing.T) net.Addr { return &net.UnixAddr{Name: fresh(), Net: "unixgram"} },
		MissingErrno: syscall.ENOENT,
		ShortRead:    transport.ErrDatagramTooLarge,
	})
}
