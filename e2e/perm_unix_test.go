//go:build linux || darwin

package e2e

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/memogram/memogram/memo"
	"github.com/memogram/memogram/uxd"
)

// processUmask reads the umask without setting it where the system allows,
// so that the check itself cannot disturb files other goroutines create.
func processUmask(t *testing.T) fs.FileMode {
	t.Helper()
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for line := range strings.Lines(string(b)) {
			if v, ok := strings.CutPrefix(line, "Umask:"); ok {
				m, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32)
				if err != nil {
					t.Fatal(err)
				}
				return fs.FileMode(m)
			}
		}
	}
	m := syscall.Umask(0o022)
	syscall.Umask(m)
	return fs.FileMode(m)
}

func modeOf(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func entries(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

// Config.Umask decides the modes of the socket (0777 &^ Umask) and of the
// directories the peer creates (0755 &^ Umask | 0700) without touching the
// process umask, which hio changes process-wide (HIO-DEFECTS U1). Without
// Umask the socket is 0600 and created directories 0700 whatever the
// process umask (hio follows it). A memo still goes through, and Close
// leaves an empty directory behind.
func TestUXDSocketPermissions(t *testing.T) {
	before := processUmask(t)
	mask := func(m fs.FileMode) *fs.FileMode { return &m }
	for _, c := range []struct {
		name           string
		umask          *fs.FileMode
		sockMode, dirM fs.FileMode
	}{
		{"umask-077", mask(0o077), 0o700, 0o700},
		{"umask-027", mask(0o027), 0o750, 0o750},
		{"umask-000", mask(0), 0o777, 0o755},
		{"default", nil, uxd.DefaultSocketMode, uxd.DefaultDirMode},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := uxdDir(t)
			sub := filepath.Join(dir, "made")
			path := filepath.Join(sub, "rx.uxd")
			rp := openUXD(t, uxd.Config{Path: path, Umask: c.umask})
			if got := processUmask(t); got != before {
				t.Fatalf("process umask changed from %#o to %#o", before, got)
			}
			fi, err := os.Lstat(path)
			if err != nil || fi.Mode().Type() != fs.ModeSocket {
				t.Fatalf("socket file: %v, %v", fi, err)
			}
			if got := fi.Mode().Perm(); got != c.sockMode {
				t.Fatalf("socket mode %#o, want %#o", got, c.sockMode)
			}
			if got := modeOf(t, sub); got != c.dirM {
				t.Fatalf("created directory mode %#o, want %#o", got, c.dirM)
			}
			rx := newMemoer(t, rp, memo.Config{})
			tx := newMemoer(t, openUXD(t, uxd.Config{Path: filepath.Join(dir, "tx.uxd")}), memo.Config{})
			ctx := ctxFor(t)
			if err := tx.Send(ctx, []byte("through"), rp.LocalAddr()); err != nil {
				t.Fatal(err)
			}
			if m, err := rx.Receive(ctx); err != nil || string(m.Data) != "through" {
				t.Fatalf("%q, %v", m.Data, err)
			}
			if err := rx.Close(); err != nil {
				t.Fatal(err)
			}
			if names := entries(t, sub); len(names) != 0 {
				t.Fatalf("left in %s after Close: %v", sub, names)
			}
		})
	}
}

// A temporary peer lives in a fresh private directory tree that Close
// removes whole (hio leaves it behind, U3), also across Reopen (U7). After
// Close nothing is left of either Memoer: no file, no directory, no
// goroutine, in the blocking and in the service style.
func TestUXDNothingLeftAfterClose(t *testing.T) {
	before := runtime.NumGoroutine()
	dir := uxdDir(t)
	tp := openUXD(t, uxd.Config{Name: "e2e", Temporary: true})
	path := tp.LocalAddr().String()
	root := path
	for filepath.Base(root) != "." && !strings.HasPrefix(filepath.Base(root), "hio_uxd_") {
		root = filepath.Dir(root)
	}
	if !strings.HasSuffix(root, "_test") || !strings.HasPrefix(path, root+string(filepath.Separator)) {
		t.Fatalf("temporary path %s not under a hio_uxd_*_test root", path)
	}
	if got := modeOf(t, root); got != 0o700 {
		t.Fatalf("temporary root mode %#o, want 0700", got)
	}
	if err := tp.Reopen(); err != nil {
		t.Fatal(err)
	}
	if tp.LocalAddr().String() != path {
		t.Fatalf("reopen moved the temporary peer from %s to %s", path, tp.LocalAddr())
	}
	pp := openUXD(t, uxd.Config{Path: filepath.Join(dir, "p.uxd")})
	tm, pm := newMemoer(t, tp, memo.Config{}), newMemoer(t, pp, memo.Config{})

	// Blocking style, with a Receive left waiting when Close comes.
	ctx := ctxFor(t)
	if err := pm.Send(ctx, []byte("blocking"), tp.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	if m, err := tm.Receive(ctx); err != nil || string(m.Data) != "blocking" {
		t.Fatalf("%q, %v", m.Data, err)
	}

	// Service style: hio's loop, which over uxd needs no goroutine.
	if err := tm.Memoit([]byte("service"), pp.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	for tm.QueuedGrams() > 0 {
		if err := tm.Service(); err != nil {
			t.Fatal(err)
		}
	}
	if m, err := pm.Receive(ctx); err != nil || string(m.Data) != "service" {
		t.Fatalf("%q, %v", m.Data, err)
	}

	// Close wakes a Receive that waits without a deadline.
	waiting := make(chan error, 1)
	go func() { _, err := pm.Receive(context.Background()); waiting <- err }()
	if err := pm.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-waiting:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("waiting Receive ended with %v, want net.ErrClosed", err)
		}
	case <-time.After(patience):
		t.Fatal("Close did not wake the waiting Receive")
	}
	if err := tm.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(root); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("temporary root %s still there after Close: %v", root, err)
	}
	if names := entries(t, dir); len(names) != 0 {
		t.Fatalf("left in %s after Close: %v", dir, names)
	}
	checkGoroutines(t, before)
}
