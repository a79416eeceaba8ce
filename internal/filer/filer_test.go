package filer

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"testing"
)

func TestWithExt(t *testing.T) {
	for name, want := range map[string]string{
		"alpha":      "alpha.uxd",
		"alpha.sock": "alpha.sock",
		".hidden":    ".hidden.uxd",
		"..x":        "..x.uxd",
		"name.":      "name.",
		"a.b/c":      "a.b/c.uxd",
		"a/b.c":      "a/b.c",
	} {
		if got := WithExt(name, "uxd"); got != want {
			t.Errorf("WithExt(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestCheckNames(t *testing.T) {
	for _, c := range []struct{ name, base string }{
		{"", ""}, {"/abs", ""}, {"../up", ""}, {"ok", "/abs"}, {"ok", "a/../../b"},
	} {
		if err := CheckNames(c.name, c.base); !errors.Is(err, ErrNotLocal) {
			t.Errorf("CheckNames(%q, %q) = %v, want ErrNotLocal", c.name, c.base, err)
		}
	}
	if err := CheckNames("a/b", "c/d"); err != nil {
		t.Errorf("CheckNames(a/b, c/d) = %v", err)
	}
}

func TestMainAndAltPaths(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the expected paths are unix paths")
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	for _, c := range []struct {
		head, base, name string
		clean            bool
		want             string
	}{
		{"", "", "alpha", false, "/usr/local/var/hio/uxd/alpha.uxd"},
		{"/h", "b", "alpha", false, "/h/hio/uxd/b/alpha.uxd"},
		{"/h", "", "alpha.s", true, "/h/hio/clean/uxd/alpha.s"},
		{"~", "", "alpha", false, filepath.Join(home, "hio/uxd/alpha.uxd")},
		{"~/x", "", "alpha", false, filepath.Join(home, "x/hio/uxd/alpha.uxd")},
	} {
		got, err := UXD.MainPath(c.head, c.base, c.name, c.clean)
		if err != nil || got != c.want {
			t.Errorf("MainPath(%q, %q, %q, %v) = %q, %v, want %q", c.head, c.base, c.name, c.clean, got, err, c.want)
		}
	}
	got, err := UXD.AltPath("b", "alpha", false)
	if want := filepath.Join(home, ".hio/uxd/b/alpha.uxd"); err != nil || got != want {
		t.Errorf("AltPath = %q, %v, want %q", got, err, want)
	}
	got, err = UXD.AltPath("", "alpha", true)
	if want := filepath.Join(home, ".hio/clean/uxd/alpha.uxd"); err != nil || got != want {
		t.Errorf("AltPath clean = %q, %v, want %q", got, err, want)
	}
}

// Modes are not checked on Windows, which has no unix permission bits.

func TestMakePersistent(t *testing.T) {
	head := t.TempDir()
	t.Setenv("HOME", t.TempDir())
	got, err := UXD.MakePersistent(head, "b", "alpha", false, 0o750)
	if want := filepath.Join(head, "hio/uxd/b/alpha.uxd"); err != nil || got != want {
		t.Fatalf("MakePersistent = %q, %v, want %q", got, err, want)
	}
	for _, d := range []string{"hio", "hio/uxd", "hio/uxd/b"} {
		fi, err := os.Stat(filepath.Join(head, d))
		if err != nil || (runtime.GOOS != "windows" && fi.Mode().Perm() != 0o750) {
			t.Errorf("%s: %v %v, want mode 0750", d, fi.Mode(), err)
		}
	}
	if _, err := os.Stat(got); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the socket file itself must not be created: %v", err)
	}
}

func TestMakePersistentFallsBack(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no access(2) on Windows")
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	head := t.TempDir()
	// A regular file where a directory must go: root cannot create it
	// either.
	if err := os.WriteFile(filepath.Join(head, "hio"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := UXD.MakePersistent(head, "", "alpha", true, 0o700)
	if want := filepath.Join(home, ".hio/clean/uxd/alpha.uxd"); err != nil || got != want {
		t.Fatalf("MakePersistent = %q, %v, want %q", got, err, want)
	}
}

func TestTempRoot(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	t.Setenv("TMP", tmp)
	root, err := UXD.MakeTempRoot()
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^hio_uxd_[a-z0-9_]{8}_test$`)
	if filepath.Dir(root) != TempHead() || !re.MatchString(filepath.Base(root)) {
		t.Errorf("root %q does not match %s/%s", root, TempHead(), re)
	}
	if fi, err := os.Stat(root); err != nil || (runtime.GOOS != "windows" && fi.Mode().Perm() != 0o700) {
		t.Errorf("root mode %v, %v, want 0700", fi.Mode(), err)
	}
	if err := RemakeTempRoot(root); !errors.Is(err, fs.ErrExist) {
		t.Errorf("RemakeTempRoot over an existing root = %v, want ErrExist", err)
	}
	p, err := UXD.TempPath(root, "b", "alpha", false)
	if want := filepath.Join(root, "hio/uxd/b/alpha.uxd"); err != nil || p != want {
		t.Errorf("TempPath = %q, %v, want %q", p, err, want)
	}
	if err := os.Remove(root); err != nil {
		t.Fatal(err)
	}
	if err := RemakeTempRoot(root); err != nil {
		t.Errorf("RemakeTempRoot after removal: %v", err)
	}
}
