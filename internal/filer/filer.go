package filer

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// DefaultHead is hio's HeadDirPath.
const DefaultHead = "/usr/local/var"

// Layout holds the class values of one hio Filer subclass (docs/protocol.md §11).
type Layout struct {
	Tail         string // below the head, e.g. "hio/uxd"
	CleanTail    string // below the head when clean, e.g. "hio/clean/uxd"
	AltTail      string // below the alternate head (home), e.g. ".hio/uxd"
	AltCleanTail string // below the alternate head when clean
	TempPrefix   string // temporary root name prefix, e.g. "hio_uxd_"
	TempSuffix   string // temporary root name suffix, e.g. "_test"
	Ext          string // appended as "."+Ext to a name without extension
}

// UXD is the layout of hio's unix datagram socket peer.
var UXD = Layout{
	Tail:         "hio/uxd",
	CleanTail:    "hio/clean/uxd",
	AltTail:      ".hio/uxd",
	AltCleanTail: ".hio/clean/uxd",
	TempPrefix:   "hio_uxd_",
	TempSuffix:   "_test",
	Ext:          "uxd",
}

// ErrNotLocal is matched by errors for names or bases that are absolute or
// climb out of their directory.
var ErrNotLocal = errors.New("path component is not relative and local")

// CheckNames validates name (required) and base (optional).
func CheckNames(name, base string) error {
	if name == "" || !filepath.IsLocal(name) {
		return fmt.Errorf("filer: name %q: %w", name, ErrNotLocal)
	}
	if base != "" && !filepath.IsLocal(base) {
		return fmt.Errorf("filer: base %q: %w", base, ErrNotLocal)
	}
	return nil
}

// WithExt appends "."+ext when name has no extension by Python's
// os.path.splitext rule, which hio uses: leading dots of the last element do
// not start an extension (".hidden" has none), and a trailing dot is one
// ("name." has the extension ".").
func WithExt(name, ext string) string {
	last := name[strings.LastIndexByte(name, '/')+1:]
	if runtime.GOOS == "windows" {
		last = last[strings.LastIndexByte(last, '\\')+1:]
	}
	if strings.Contains(strings.TrimLeft(last, "."), ".") {
		return name
	}
	return name + "." + ext
}

func (l Layout) tails(clean bool) (tail, alt string) {
	if clean {
		return l.CleanTail, l.AltCleanTail
	}
	return l.Tail, l.AltTail
}

// MainPath is abs(expanduser(head/tail/base/name+ext)); head "" is
// DefaultHead.
func (l Layout) MainPath(head, base, name string, clean bool) (string, error) {
	if err := CheckNames(name, base); err != nil {
		return "", err
	}
	if head == "" {
		head = DefaultHead
	}
	head, err := expandUser(head)
	if err != nil {
		return "", err
	}
	tail, _ := l.tails(clean)
	return filepath.Abs(filepath.Join(head, tail, base, WithExt(name, l.Ext)))
}

// AltPath is abs(~/alttail/base/name+ext), the fallback of MainPath.
func (l Layout) AltPath(base, name string, clean bool) (string, error) {
	if err := CheckNames(name, base); err != nil {
		return "", err
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("filer: alternate head: %w", err)
	}
	_, alt := l.tails(clean)
	return filepath.Abs(filepath.Join(home, alt, base, WithExt(name, l.Ext)))
}

// TempPath is root/tail/base/name+ext for a root made by MakeTempRoot.
func (l Layout) TempPath(root, base, name string, clean bool) (string, error) {
	if err := CheckNames(name, base); err != nil {
		return "", err
	}
	tail, _ := l.tails(clean)
	return filepath.Join(root, tail, base, WithExt(name, l.Ext)), nil
}

// MakePersistent picks the persistent path for base/name and creates its
// missing parent directories with dirPerm. It returns the main path when its
// directory can be created and written to (and the path itself, if it
// exists, is readable and writable), else the alternate path, whose
// directories it creates in the same way.
func (l Layout) MakePersistent(head, base, name string, clean bool, dirPerm fs.FileMode) (string, error) {
	main, err := l.MainPath(head, base, name, clean)
	if err != nil {
		return "", err
	}
	mainErr := MakeDirs(filepath.Dir(main), dirPerm)
	if mainErr == nil {
		mainErr = usable(main)
	}
	if mainErr == nil {
		return main, nil
	}
	alt, err := l.AltPath(base, name, clean)
	if err != nil {
		return "", fmt.Errorf("%w (main path: %v)", err, mainErr)
	}
	if err := MakeDirs(filepath.Dir(alt), dirPerm); err != nil {
		return "", fmt.Errorf("filer: main path: %v; alternate path: %w", mainErr, err)
	}
	if err := usable(alt); err != nil {
		return "", fmt.Errorf("filer: main path: %v; alternate path: %w", mainErr, err)
	}
	return alt, nil
}

// usable says whether a socket can be bound at path: its directory must be
// writable and searchable, and an existing file there readable and writable
// (hio's rule), so that a stale socket can be replaced.
func usable(path string) error {
	if err := access(filepath.Dir(path), accessW|accessX); err != nil {
		return fmt.Errorf("filer: %s: %w", filepath.Dir(path), err)
	}
	if _, err := os.Lstat(path); err == nil {
		if err := access(path, accessR|accessW); err != nil {
			return fmt.Errorf("filer: %s: %w", path, err)
		}
	}
	return nil
}

// MakeDirs creates dir and its missing parents, and sets the mode of every
// directory it creates to perm exactly: mkdir alone would apply the process
// umask, so the result would depend on process-global state (U6). Existing
// directories are left as they are.
func MakeDirs(dir string, perm fs.FileMode) error {
	var missing []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err == nil {
			if !fi.IsDir() {
				return fmt.Errorf("filer: %s: %w", d, errNotDir)
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("filer: %w", err)
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	for i := len(missing) - 1; i >= 0; i-- {
		// Creating with perm first means the directory is never looser
		// than perm, even before the chmod.
		if err := os.Mkdir(missing[i], perm); err != nil && !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("filer: %w", err)
		}
		if err := os.Chmod(missing[i], perm); err != nil {
			return fmt.Errorf("filer: %w", err)
		}
	}
	return nil
}

var errNotDir = errors.New("not a directory")

// TempHead is hio's TempHeadDir: /tmp on macOS, whose per-user temporary
// directory is too long for sun_path, else the OS temporary directory.
func TempHead() string {
	if runtime.GOOS == "darwin" {
		return "/tmp"
	}
	return os.TempDir()
}

// tempChars is the alphabet of Python's tempfile names.
const tempChars = "abcdefghijklmnopqrstuvwxyz0123456789_"

// MakeTempRoot creates a fresh directory TempHead()/<prefix><8 random
// characters><suffix> with mode 0700, as Python's mkdtemp does.
func (l Layout) MakeTempRoot() (string, error) {
	var b [8]byte
	for range 100 {
		_, _ = rand.Read(b[:]) // never fails (crypto/rand documentation)
		for i := range b {
			b[i] = tempChars[int(b[i])%len(tempChars)]
		}
		root := filepath.Join(TempHead(), l.TempPrefix+string(b[:])+l.TempSuffix)
		err := RemakeTempRoot(root)
		if err == nil {
			return root, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", err
		}
	}
	return "", fmt.Errorf("filer: no free temporary directory name in %s", TempHead())
}

// RemakeTempRoot creates root again with mode 0700 after the caller removed
// it, so that a reopened temporary peer keeps its address (U7). It fails with
// fs.ErrExist when something else took the name meanwhile: a directory that
// is not ours must not be reused.
func RemakeTempRoot(root string) error {
	if err := os.Mkdir(root, 0o700); err != nil {
		return fmt.Errorf("filer: %w", err)
	}
	if err := os.Chmod(root, 0o700); err != nil {
		_ = os.Remove(root)
		return fmt.Errorf("filer: %w", err)
	}
	return nil
}

// expandUser expands a leading "~" or "~/" as Python's expanduser does for
// the current user; "~user" forms are not supported.
func expandUser(p string) (string, error) {
	if p != "~" && !strings.HasPrefix(p, "~/") && !strings.HasPrefix(p, "~"+string(filepath.Separator)) {
		return p, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("filer: expand %s: %w", p, err)
	}
	return filepath.Join(home, p[1:]), nil
}
