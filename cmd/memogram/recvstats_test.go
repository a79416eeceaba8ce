package main

import (
	"encoding/json"
	"net"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// sendGarbage writes datagrams no receiver can use to a recv over UDP.
func sendGarbage(t *testing.T, to string, n int) {
	t.Helper()
	dst, err := net.ResolveUDPAddr("udp", strings.TrimPrefix(to, "udp:"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := range n {
		if _, err := c.WriteTo([]byte("not a gram "+strings.Repeat("!", i)), dst); err != nil {
			t.Fatal(err)
		}
	}
}

// recv says on exit, in one stderr line, what it dropped and why.
func TestRecvReportsDropsOnExit(t *testing.T) {
	rx := startRecv(t, addrFor(t, tUDP, "bob", false), "--count", "1", "--json")
	sendGarbage(t, rx.addr, 3)
	time.Sleep(100 * time.Millisecond) // the garbage first, then the memo
	mustRun(t, nil, "send", "--to", rx.addr, "hello")
	r := rx.wait(t)
	if r.code != 0 {
		t.Fatalf("recv: %v", r)
	}
	if !strings.Contains(r.stderr, "recv: 1 memo") || !strings.Contains(r.stderr, "grams rejected 3 (malformed 3)") {
		t.Fatalf("stderr %q: no report of the 3 rejected grams", r.stderr)
	}
	if strings.Count(strings.TrimSpace(r.stdout), "\n") != 0 {
		t.Fatalf("stdout holds more than the one memo: %q", r.stdout)
	}
}

// Nothing dropped, nothing said: a clean run's stderr stays empty.
func TestRecvQuietWhenNothingDropped(t *testing.T) {
	rx := startRecv(t, addrFor(t, tUDP, "bob", false), "--count", "1", "--json")
	mustRun(t, nil, "send", "--to", rx.addr, "hello")
	r := rx.wait(t)
	if r.code != 0 || strings.Contains(r.stderr, "recv:") {
		t.Fatalf("recv: %v", r)
	}
}

// --stats=json reports while running and on exit, one JSON object a line.
func TestRecvStatsJSON(t *testing.T) {
	rx := startRecv(t, addrFor(t, tUDP, "bob", false), "--count", "2", "--stats=json", "--stats-every", "50ms")
	sendGarbage(t, rx.addr, 2)
	mustRun(t, nil, "send", "--to", rx.addr, "one")
	time.Sleep(200 * time.Millisecond)
	mustRun(t, nil, "send", "--to", rx.addr, "two")
	r := rx.wait(t)
	if r.code != 0 {
		t.Fatalf("recv: %v", r)
	}
	var reports []recvReport
	for _, l := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
		if !strings.HasPrefix(l, "{") {
			continue // the --announce line
		}
		var rep recvReport
		if err := json.Unmarshal([]byte(l), &rep); err != nil {
			t.Fatalf("stderr line %q: %v", l, err)
		}
		reports = append(reports, rep)
	}
	if len(reports) < 2 {
		t.Fatalf("%d reports in %q, want periodic ones and the last", len(reports), r.stderr)
	}
	last := reports[len(reports)-1]
	if last.Memos != 2 || last.Rejected["malformed"] != 2 || last.Evicted == nil {
		t.Fatalf("last report %+v", last)
	}
	if runtime.GOOS == "linux" && last.KernelDrops == nil {
		t.Fatalf("linux UDP: kernel_drops is null")
	}
}

// A removed socket file ends recv with one line that says so.
func TestRecvSocketFileRemoved(t *testing.T) {
	if isWindows {
		t.Skip("unix sockets: not on Windows")
	}
	addr := addrFor(t, tUXD, "bob", false)
	rx := startRecv(t, addr)
	if err := os.Remove(strings.TrimPrefix(addr, "uxd:")); err != nil {
		t.Fatal(err)
	}
	r := rx.wait(t)
	if r.code != exitFailure || !strings.Contains(r.stderr, "was removed") {
		t.Fatalf("recv after its socket file went: %v", r)
	}
}

// On interrupt the report comes too, before the one-line "interrupted".
func TestRecvReportsOnInterrupt(t *testing.T) {
	if isWindows {
		t.Skip("no way to send a console interrupt to a child process on Windows (see TestInterrupt)")
	}
	rx := startRecv(t, addrFor(t, tUDP, "bob", false))
	sendGarbage(t, rx.addr, 1)
	time.Sleep(100 * time.Millisecond)
	if err := rx.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	r := rx.wait(t)
	if r.code != 130 || !strings.Contains(r.stderr, "grams rejected 1 (malformed 1)") || !strings.Contains(r.stderr, "interrupted") {
		t.Fatalf("recv interrupted: %v", r)
	}
}

// recv's uxd socket is owner-only unless --umask widens it.
func TestRecvUmask(t *testing.T) {
	if isWindows {
		t.Skip("unix socket modes: not on Windows (mailslot DACLs are wms's tests)")
	}
	for _, c := range []struct {
		args []string
		want os.FileMode
	}{
		{nil, 0o600},
		{[]string{"--umask", "007"}, 0o770},
	} {
		addr := addrFor(t, tUXD, "bob", false)
		rx := startRecv(t, append([]string{addr, "--count", "1"}, c.args...)...)
		fi, err := os.Stat(strings.TrimPrefix(addr, "uxd:"))
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != c.want {
			t.Errorf("recv %v: socket mode %#o, want %#o", c.args, got, c.want)
		}
		mustRun(t, nil, "send", "--to", addr, "hi")
		if r := rx.wait(t); r.code != 0 {
			t.Fatalf("recv: %v", r)
		}
	}
	if r := runCLI(t, nil, "recv", addrFor(t, tUXD, "x", false), "--umask", "9"); r.code != exitUsage {
		t.Fatalf("--umask 9: %v", r)
	}
}
