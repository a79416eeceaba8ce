package main

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"testing"
)

// TestInterrupt: SIGINT or SIGTERM closes the peer, removes its socket file
// and exits 130 with one line.
func TestInterrupt(t *testing.T) {
	if isWindows {
		// Go cannot deliver os.Interrupt to another process on Windows
		// (Process.Signal supports only Kill there), so there is no way to
		// send the console control event from a test.
		t.Skip("no way to send a console interrupt to a child process on Windows")
	}
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			addr := addrFor(t, tUXD, "bob", false)
			path := strings.TrimPrefix(addr, "uxd:")
			rx := startRecv(t, addr, "--json")
			if _, err := os.Stat(path); err != nil {
				t.Fatalf("socket file missing while receiving: %v", err)
			}
			if err := rx.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			r := rx.wait(t)
			oneLineError(t, r, 130, "interrupted")
			if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("socket file left behind: %v", err)
			}
		})
	}
}
