package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/memogram/memogram/memo"
	"github.com/memogram/memogram/uxd"
	"github.com/memogram/memogram/wms"
)

// TestFailures checks each failure's exit code and its one-line message.
func TestFailures(t *testing.T) {
	kind := defaultTransport()
	dir := t.TempDir()
	// A memo one byte over the limit at UDP's smallest gram size (33
	// bytes, one body byte per later gram): about 16 MiB.
	r, err := memo.NewRenderer(memo.RenderConfig{GramSize: 1, MaxTransport: 1240})
	if err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, r.MaxMemoSize()+1), 0o600); err != nil {
		t.Fatal(err)
	}
	// A D vid whose QVK is another key: the keep refuses the binding.
	other, err := memo.NewSignerHex(strings.Repeat("11", 32), memo.VIDB)
	if err != nil {
		t.Fatal(err)
	}
	badTrust := testSigner(t, memo.VIDD).VID() + "=" + other.QVK()
	nowhere := addrFor(t, kind, "nobody", false) // nothing is bound there
	discard := "udp:127.0.0.1:9"

	cases := []struct {
		name  string
		args  []string
		stdin string
		code  int
		want  string
	}{
		{"no command", nil, "", 2, "no command"},
		{"unknown command", []string{"frobnicate"}, "", 2, "unknown command"},
		{"unknown flag", []string{"recv", "--bogus", nowhere}, "", 2, "unknown flag"},
		{"malformed address", []string{"recv", "/tmp/no-prefix"}, "", 2, "malformed address"},
		{"malformed udp address", []string{"recv", "udp:127.0.0.1"}, "", 2, "malformed address"},
		{"bad udp port", []string{"send", "--to", "udp:127.0.0.1:70000", "x"}, "", 2, "malformed address"},
		{"unknown transport", []string{"recv", "tcp:127.0.0.1:80"}, "", 2, "unknown transport"},
		{"unknown bench transport", []string{"bench", "--transport", "tcp"}, "", 2, "unknown transport"},
		{"bad seed", []string{"send", "--to", discard, "--sign-seed", "not-hex", "x"}, "", 2, "--sign-seed"},
		{"short seed", []string{"send", "--to", discard, "--sign-seed", testSeed[2:], "x"}, "", 2, "--sign-seed"},
		{"bad vid code", []string{"send", "--to", discard, "--sign-seed", testSeed, "--vid-code", "Q", "x"}, "", 2, "--vid-code"},
		{"vid code without seed", []string{"send", "--to", discard, "--vid-code", "D", "x"}, "", 2, "--vid-code"},
		{"trust without =", []string{"recv", nowhere, "--trust", "nonsense"}, "", 2, "--trust"},
		{"trust of another key", []string{"recv", nowhere, "--trust", badTrust}, "", 2, "--trust"},
		{"unreadable file", []string{"send", "--to", discard, "--file", filepath.Join(dir, "missing")}, "", 2, "--file"},
		{"oversize memo", []string{"send", "--to", discard, "--gram", "1", "--file", big}, "", 2, "too large"},
		{"gram over the transport's", []string{"send", "--to", discard, "--gram", "70000", "x"}, "", 2, "gram size"},
		{"nothing to send", []string{"send", "--to", discard}, "", 2, "nothing to send"},
		{"stdin twice", []string{"send", "--to", discard, "-", "-"}, "x", 2, "twice"},
		{"missing --to", []string{"send", "x"}, "", 2, "--to"},
		{"two IP versions", []string{"send", "--from", "udp:127.0.0.1:0", "--to", "udp:[::1]:9", "x"}, "", 2, "IP versions"},
		{"two transports", []string{"send", "--from", nowhere, "--to", discard, "x"}, "", 2, "one transport"},
		{"recv without address", []string{"recv"}, "", 2, "one address"},
		{"negative count", []string{"recv", nowhere, "--count", "-1"}, "", 2, "negative"},
		{"bad size", []string{"bench", "--size", "lots"}, "", 2, "size"},
		{"bad duration", []string{"bench", "--duration", "0s"}, "", 2, "duration"},
		{"destination missing", []string{"send", "--to", nowhere, "x"}, "", 1, "nothing is bound"},
		{"timeout", []string{"recv", nowhere, "--timeout", "200ms"}, "", 3, "timed out"},
	}
	if isWindows {
		cases = append(cases, struct {
			name  string
			args  []string
			stdin string
			code  int
			want  string
		}{"uxd on windows", []string{"recv", `uxd:C:\x.sock`}, "", 2, "not available"})
	} else {
		cases = append(cases, struct {
			name  string
			args  []string
			stdin string
			code  int
			want  string
		}{"wms elsewhere", []string{"recv", "wms:x"}, "", 2, "not available"})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stdin []byte
			if c.stdin != "" {
				stdin = []byte(c.stdin)
			}
			oneLineError(t, runCLI(t, stdin, c.args...), c.code, c.want)
		})
	}
}

// TestAddressInUse: a live endpoint at the address is a runtime failure.
func TestAddressInUse(t *testing.T) {
	addr := addrFor(t, defaultTransport(), "taken", false)
	_, rest, _ := strings.Cut(addr, ":")
	var closer interface{ Close() error }
	var err error
	if isWindows {
		closer, err = wms.Open(wms.Config{Name: rest})
	} else {
		closer, err = uxd.Open(uxd.Config{Path: rest})
	}
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	oneLineError(t, runCLI(t, nil, "recv", addr), 1, "in use")
}
