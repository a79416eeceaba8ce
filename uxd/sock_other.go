//go:build !linux && !darwin

package uxd

import (
	"fmt"
	"net"
	"runtime"

	"github.com/memogram/memogram/internal/dgram"
	"github.com/memogram/memogram/transport"
)

// PathMax is 0 where unix datagram sockets are not supported.
const PathMax = 0

// supported fails, with a listen error as Open's others: Go has no
// unixgram on Windows, and other systems are untested.
func supported() error {
	return dgram.OpError("listen", network, nil, nil,
		fmt.Errorf("unix datagram sockets on %s: %w", runtime.GOOS, transport.ErrUnsupported))
}

type fileID struct{}

func removeStale(string) error                             { return supported() }
func removeSocket(string, fileID) error                    { return nil }
func listen(string, settings) (*dgram.Sock, fileID, error) { return nil, fileID{}, supported() }
func source(dgram.Sockaddr) net.Addr                       { return nil }
func sockaddrs() func(dest) (dgram.Sockaddr, error) {
	return func(dest) (dgram.Sockaddr, error) { return nil, supported() }
}
