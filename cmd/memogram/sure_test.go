package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The CLI proof: send --sure --drop 0.1 of 200 memos into
// recv --json --count 200 over UDP delivers all 200, each once, and
// --json reports a delivery time and the retransmits.
func TestSendSureDrop(t *testing.T) {
	rx := startRecv(t, addrFor(t, tUDP, "bob", false), "--count", "200", "--json")
	args := []string{"send", "--sure", "--drop", "0.1", "--json", "--from", addrFor(t, tUDP, "alice", true), "--to", rx.addr}
	// The memos go in files: Windows caps a command line at 32,767
	// characters, and 200 memos of up to 7 KB overrun it.
	dir := t.TempDir()
	want := make(map[string]bool)
	for i := range 200 {
		m := fmt.Sprintf("memo %d %s", i, strings.Repeat("x", i*37))
		want[m] = true
		f := filepath.Join(dir, fmt.Sprint(i))
		if err := os.WriteFile(f, []byte(m), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--file", f)
	}
	s := mustRun(t, nil, args...)
	r := rx.wait(t)
	if r.code != 0 {
		t.Fatalf("recv: %v", r)
	}
	got := parseJSONLines(t, r.stdout)
	seen := make(map[string]bool)
	for _, m := range got {
		c := content(t, m)
		if seen[c] {
			t.Errorf("memo %.20q delivered twice", c)
		}
		seen[c] = true
		if !want[c] {
			t.Errorf("unexpected memo %.20q", c)
		}
	}
	if len(seen) != 200 {
		t.Fatalf("received %d distinct memos of 200", len(seen))
	}
	retrans := 0
	lines := strings.Split(strings.TrimSpace(s.stdout), "\n")
	if len(lines) != 200 {
		t.Fatalf("send --json printed %d lines", len(lines))
	}
	for _, l := range lines {
		var d jsonDelivery
		if err := json.Unmarshal([]byte(l), &d); err != nil || !d.Delivered || d.Error != nil || d.MS <= 0 || len(d.MID) != 24 {
			t.Fatalf("send --json line %q (%v)", l, err)
		}
		retrans += d.Retransmits
	}
	if retrans == 0 {
		t.Errorf("--drop 0.1 and not one retransmit reported")
	}
}

// A Sure memo nobody acks: exit 1, the memo reported not delivered.
func TestSendSureNotDelivered(t *testing.T) {
	to := addrFor(t, tUDP, "nobody", true)
	r := runCLI(t, nil, "send", "--sure", "--give-up", "300ms", "--json", "--to", to, "into the void")
	if r.code != exitFailure || !strings.Contains(r.stderr, "not delivered") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	var d jsonDelivery
	if err := json.Unmarshal([]byte(strings.TrimSpace(r.stdout)), &d); err != nil || d.Delivered || d.Error == nil {
		t.Fatalf("stdout %q (%v)", r.stdout, err)
	}
}
