//go:build !windows

package wms

import (
	"errors"
	"net"
	"testing"

	"github.com/memogram/memogram/transport"
)

func TestOpenUnsupported(t *testing.T) {
	p, err := Open(Config{Name: "alpha"})
	var oe *net.OpError
	if p != nil || !errors.Is(err, transport.ErrUnsupported) || !errors.Is(err, errors.ErrUnsupported) ||
		!errors.As(err, &oe) || oe.Op != "listen" || oe.Net != Network {
		t.Fatalf("Open = %v, %v; want an error matching transport.ErrUnsupported and errors.ErrUnsupported", p, err)
	}
	// The configuration is still checked, so mistakes show on every system.
	if _, err := Open(Config{}); !errors.Is(err, ErrInvalidName) {
		t.Errorf("Open with no name: err = %v, want ErrInvalidName", err)
	}
}
