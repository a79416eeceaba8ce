package main

import (
	"strings"
	"testing"
)

// The hold cap may be lowered (to --max-size) as well as raised; below
// --max-size it is a usage error that says why.
func TestRecvHoldCapSettableBothWays(t *testing.T) {
	sock := addrFor(t, tUDP, "r", true)
	if r := runCLI(t, nil, "recv", sock, "--max-size", "1000", "--hold", "4096", "--timeout", "200ms"); r.code != 3 {
		t.Fatalf("a lowered hold cap is accepted (exit 3 on timeout): %v", r)
	}
	if r := runCLI(t, nil, "recv", sock, "--hold", "1000000000", "--timeout", "200ms"); r.code != 3 {
		t.Fatalf("a raised hold cap is accepted: %v", r)
	}
	r := runCLI(t, nil, "recv", sock, "--max-size", "5000", "--hold", "4096")
	if r.code != 2 || !strings.Contains(r.stderr, "--hold 4096 is below --max-size 5000") {
		t.Fatalf("hold below max-size: %v", r)
	}
}
