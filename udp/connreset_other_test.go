//go:build !linux && !windows

package udp_test

import "errors"

func enableICMPErrors(uintptr) error { return errors.New("not implemented on this system") }
