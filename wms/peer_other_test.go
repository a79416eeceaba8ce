//go:build !windows

package wms

import (
	"errors"
	"testing"

	"github.com/memogram/memogram/transport"
)

func TestOpenUnsupported(t *testing.T) {
	p, err := Open(Config{Name: "alpha"})
	if p != nil || !errors.Is(err, transport.ErrUnsupported) || !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("Open = %v, %v; want an error matching transport.ErrUnsupported and errors.ErrUnsupported", p, err)
	}
	// The configuration is still checked, so mistakes show on every system.
	if _, err := Open(Config{}); !errors.Is(err, ErrInvalidName) {
		t.Errorf("Open with no name: err = %v, want ErrInvalidName", err)
	}
}
