//go:build linux || darwin

package uxd_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/memogram/memogram/internal/leaktest"
	"github.com/memogram/memogram/memo"
	"github.com/memogram/memogram/uxd"
)

// leakRounds is how many times the leak tests open and close a Memoer.
const leakRounds = 1000

// Opening and closing a Memoer over a uxd peer 1,000 times at the same
// path leaves no descriptor, goroutine or socket file behind; every tenth
// round also sends itself a memo and receives it, so that the blocking
// receive path runs too. A persistent path and a temporary peer both.
func TestNoLeaks(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  func(dir string) uxd.Config
	}{
		{"path", func(dir string) uxd.Config { return uxd.Config{Path: filepath.Join(dir, "leak.uxd")} }},
		{"temporary", func(string) uxd.Config { return uxd.Config{Name: "leak", Temporary: true} }},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := shortDir(t)
			round := func(i int) {
				p, err := uxd.Open(c.cfg(dir))
				if err != nil {
					t.Fatalf("round %d: %v", i, err)
				}
				m, err := memo.New(p, memo.Config{})
				if err != nil {
					t.Fatalf("round %d: %v", i, err)
				}
				if i%10 == 0 {
					ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
					if err := m.Send(ctx, []byte("self"), p.LocalAddr()); err != nil {
						t.Fatalf("round %d: %v", i, err)
					}
					if got, err := m.Receive(ctx); err != nil || string(got.Data) != "self" {
						t.Fatalf("round %d: %q, %v", i, got.Data, err)
					}
					cancel()
				}
				path := p.LocalAddr().String()
				if err := m.Close(); err != nil {
					t.Fatalf("round %d: close: %v", i, err)
				}
				if _, err := os.Lstat(path); !os.IsNotExist(err) {
					t.Fatalf("round %d: socket file %s left after Close: %v", i, path, err)
				}
			}
			round(0) // the first round sets up what the process keeps: the poller
			before := leaktest.Take(t)
			for i := range leakRounds {
				round(i)
			}
			leaktest.Check(t, before)
			if des, err := os.ReadDir(dir); err != nil || len(des) != 0 {
				t.Fatalf("left in %s: %v, %v", dir, des, err)
			}
		})
	}
}
