package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/memogram/memogram/wms"
)

// TestDemo: demo needs nothing, shows the four memos with their senders and
// the verified vid, exits 0 and leaves nothing behind.
func TestDemo(t *testing.T) {
	r := mustRun(t, nil, "demo")
	for _, want := range []string{
		`unsigned, 11 bytes: "Hello, bob!"`,
		`"Grüße aus Köln, 你好, привет 🌍"`,
		"unsigned, 1048576 bytes: binary, sha256 ",
		"verified vid B",
		"demo done: 4 memos",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	if n := strings.Count(r.stdout, " got  from "); n != 4 {
		t.Errorf("%d memos shown as received, want 4:\n%s", n, r.stdout)
	}
	m := regexp.MustCompile(`(?m)^  alice  (\w+):(.*)$`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("no alice address in:\n%s", r.stdout)
	}
	switch m[1] {
	case tUXD:
		if _, err := os.Stat(filepath.Dir(m[2])); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("the demo's directory is still there: %v", err)
		}
	case tWMS:
		// The slot name is free again only if the demo closed it.
		p, err := wms.Open(wms.Config{Name: m[2]})
		if err != nil {
			t.Fatalf("alice's slot is still taken: %v", err)
		}
		p.Close()
	}
}
