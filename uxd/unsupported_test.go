//go:build !linux && !darwin

package uxd_test

import (
	"errors"
	"net"
	"testing"

	"github.com/memogram/memogram/transport"
	"github.com/memogram/memogram/uxd"
)

// TestUnsupported: Go has no unix datagram sockets here, so Open must say
// so instead of failing in some other way.
func TestUnsupported(t *testing.T) {
	for _, cfg := range []uxd.Config{{Temporary: true}, {Path: "x.uxd"}, {Name: "alpha"}} {
		p, err := uxd.Open(cfg)
		var oe *net.OpError
		if p != nil || !errors.Is(err, transport.ErrUnsupported) || !errors.Is(err, errors.ErrUnsupported) ||
			!errors.As(err, &oe) || oe.Op != "listen" || oe.Net != "unixgram" {
			t.Errorf("Open(%+v) = %v, %v; want transport.ErrUnsupported", cfg, p, err)
		}
	}
}
