package wms

import (
	"io"
	"net"
	"testing"
	"time"

	"golang.org/x/sys/windows"

	"github.com/memogram/memogram/internal/transporttest"
)

// TestConformance runs the shared suite over mailslots. Their messages
// carry no source, so replies go to the resolved slot name (NoSource); a
// short ReadFrom gives io.ErrShortBuffer and an empty datagram is refused
// (ErrEmptyDatagram), both documented deviations from the sockets.
func TestConformance(t *testing.T) {
	transporttest.Run(t, transporttest.Transport{
		Net: Network,
		OpenAt: transporttest.Opener(func(name string) (*Peer, error) {
			return Open(Config{Name: name, PollInterval: 10 * time.Millisecond})
		}),
		Fresh:        func(t *testing.T) string { return testName(t) },
		Resolve:      func(s string) (net.Addr, error) { return ParseAddr(s) },
		Missing:      func(t *testing.T) net.Addr { return Addr{Name: testName(t) + "_missing"} },
		MissingErrno: windows.ERROR_FILE_NOT_FOUND,
		InUseErrno:   windows.ERROR_ALREADY_EXISTS,
		NoSource:     true,
		ShortRead:    io.ErrShortBuffer,
		EmptyRefused: ErrEmptyDatagram,
	})
}
