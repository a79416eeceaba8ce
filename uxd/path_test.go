//go:build linux || darwin

package uxd_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/memogram/memogram/uxd"
)

func TestPersistentPaths(t *testing.T) {
	head := shortDir(t)
	t.Setenv("HOME", shortDir(t))
	for _, c := range []struct {
		cfg  uxd.Config
		want string
	}{
		{uxd.Config{Name: "alpha"}, "hio/uxd/alpha.uxd"},
		{uxd.Config{Name: "alpha", Base: "b"}, "hio/uxd/b/alpha.uxd"},
		{uxd.Config{Name: "alpha.sock"}, "hio/uxd/alpha.sock"},
		{uxd.Config{Name: "alpha", Clean: true}, "hio/clean/uxd/alpha.uxd"},
		{uxd.Config{}, "hio/uxd/main.uxd"},
	} {
		c.cfg.HeadDir = head
		p := open(t, c.cfg)
		want := filepath.Join(head, c.want)
		if got := p.LocalAddr().String(); got != want {
			t.Errorf("%+v: path %s, want %s", c.cfg, got, want)
		}
		roundTrip(t, p, p, []byte("hi"))
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
		// Persistent directories stay, the socket file goes.
		if exists(want) || !exists(filepath.Dir(want)) {
			t.Errorf("%+v: after Close socket %v, dir %v", c.cfg, exists(want), exists(filepath.Dir(want)))
		}
	}
}

func TestAlternatePath(t *testing.T) {
	home, head := shortDir(t), shortDir(t)
	t.Setenv("HOME", home)
	// A regular file where hio/ must go: even root cannot create the main
	// path.
	if err := os.WriteFile(filepath.Join(head, "hio"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	p := open(t, uxd.Config{Name: "alpha", Base: "b", HeadDir: head})
	if want := filepath.Join(home, ".hio/uxd/b/alpha.uxd"); p.LocalAddr().String() != want {
		t.Fatalf("path %s, want %s", p.LocalAddr(), want)
	}
	roundTrip(t, p, p, []byte("hi"))
}

func TestRejectsNonLocalNames(t *testing.T) {
	for _, cfg := range []uxd.Config{
		{Name: "/abs"}, {Name: "a", Base: "/abs"}, {Name: "../up"},
		{Path: "/x", Name: "a"}, {Path: "/x", Temporary: true},
	} {
		if _, err := uxd.Open(cfg); err == nil {
			t.Errorf("Open(%+v) succeeded", cfg)
		}
	}
}

func TestTemporary(t *testing.T) {
	tmp := shortDir(t)
	t.Setenv("TMPDIR", tmp)
	p := open(t, uxd.Config{Name: "alpha", Base: "b", Temporary: true})
	path := p.LocalAddr().String()
	re := regexp.MustCompile("^" + regexp.QuoteMeta(tmp) + `/hio_uxd_[a-z0-9_]{8}_test/hio/uxd/b/alpha\.uxd$`)
	if !re.MatchString(path) {
		t.Fatalf("temporary path %s does not match %s", path, re)
	}
	root := strings.TrimSuffix(path, "/hio/uxd/b/alpha.uxd")
	if fi, err := os.Stat(root); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("root %s: %v %v, want 0700", root, fi.Mode(), err)
	}

	// Reopen keeps the directory and so the address (U7).
	if err := p.Reopen(); err != nil || p.LocalAddr().String() != path {
		t.Fatalf("Reopen: %v, path %s, want %s", err, p.LocalAddr(), path)
	}
	roundTrip(t, p, p, []byte("hi"))

	// Close removes the whole temporary root (U3).
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Fatalf("left behind in %s: %v", tmp, entries)
	}

	// Reopen after Close makes it again, at the same place.
	if err := p.Reopen(); err != nil || p.LocalAddr().String() != path {
		t.Fatalf("Reopen after Close: %v, path %s", err, p.LocalAddr())
	}
	roundTrip(t, p, p, []byte("hi"))
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Fatalf("left behind in %s: %v", tmp, entries)
	}
}

func TestPathLength(t *testing.T) {
	dir := shortDir(t)
	name := func(total int) string { return strings.Repeat("n", total-len(dir)-1) }

	p := open(t, uxd.Config{Path: filepath.Join(dir, name(uxd.PathMax))})
	if len(p.LocalAddr().String()) != uxd.PathMax {
		t.Fatalf("path of %d bytes", len(p.LocalAddr().String()))
	}
	roundTrip(t, p, p, []byte("longest path"))

	for _, path := range []string{
		filepath.Join(dir, name(uxd.PathMax+1)),
		// Fewer characters than PathMax, more bytes (U5).
		filepath.Join(dir, strings.Repeat("é", (uxd.PathMax-len(dir))/2+1)),
	} {
		_, err := uxd.Open(uxd.Config{Path: path})
		if !errors.Is(err, uxd.ErrPathTooLong) {
			t.Errorf("Open with a %d-byte path: %v, want ErrPathTooLong", len(path), err)
		}
		if exists(path) {
			t.Errorf("socket created at a too long path")
		}
	}

	// A temporary peer whose path is too long leaves nothing behind.
	tmp := shortDir(t)
	t.Setenv("TMPDIR", tmp)
	_, err := uxd.Open(uxd.Config{Name: strings.Repeat("x", uxd.PathMax), Temporary: true})
	if !errors.Is(err, uxd.ErrPathTooLong) {
		t.Fatalf("temporary Open with a long name: %v", err)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Fatalf("left behind in %s: %v", tmp, entries)
	}
}

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestPermissions(t *testing.T) {
	before := processUmask(t)
	for _, c := range []struct {
		umask         fs.FileMode
		sock, dirMode fs.FileMode
	}{
		{0o077, 0o700, 0o700},
		{0o022, 0o755, 0o755},
		// Looser than the usual process umask: the socket is widened
		// explicitly, directories are never group or world writable.
		{0o000, 0o777, 0o755},
		{0o007, 0o770, 0o750},
	} {
		head := shortDir(t)
		p := open(t, uxd.Config{Name: "s", HeadDir: head, Umask: new(c.umask)})
		path := p.LocalAddr().String()
		if got := mode(t, path); got != c.sock {
			t.Errorf("Umask %#o: socket mode %#o, want %#o", c.umask, got, c.sock)
		}
		for _, d := range []string{"hio", "hio/uxd"} {
			if got := mode(t, filepath.Join(head, d)); got != c.dirMode {
				t.Errorf("Umask %#o: %s mode %#o, want %#o", c.umask, d, got, c.dirMode)
			}
		}
		p.Close()
	}
	if after := processUmask(t); after != before {
		t.Fatalf("process umask changed from %#o to %#o (U1)", before, after)
	}

	// Without Umask the socket and the directories are owner-only,
	// whatever the process umask (hio follows it).
	head := shortDir(t)
	p := open(t, uxd.Config{Name: "s", HeadDir: head})
	if got, want := mode(t, p.LocalAddr().String()), uxd.DefaultSocketMode; got != want {
		t.Errorf("no Umask: socket mode %#o, want %#o", got, want)
	}
	for _, d := range []string{"hio", "hio/uxd"} {
		if got, want := mode(t, filepath.Join(head, d)), uxd.DefaultDirMode; got != want {
			t.Errorf("no Umask: %s mode %#o, want %#o", d, got, want)
		}
	}

	if _, err := uxd.Open(uxd.Config{Path: filepath.Join(head, "x"), Umask: new(fs.FileMode(0o1000))}); err == nil {
		t.Errorf("Umask with non-permission bits accepted")
	}
}

// processUmask reads the umask without changing it.
func processUmask(t *testing.T) fs.FileMode {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status to read the umask from")
	}
	m := regexp.MustCompile(`Umask:\s*([0-7]+)`).FindSubmatch(b)
	if m == nil {
		t.Skip("no Umask line in /proc/self/status")
	}
	var v fs.FileMode
	for _, c := range m[1] {
		v = v*8 + fs.FileMode(c-'0')
	}
	return v
}
