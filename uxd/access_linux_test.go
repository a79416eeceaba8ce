package uxd_test

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/memogram/memogram/uxd"
)

// The access tests run this test binary again as a child, selected by
// childEnv: as user nobody to show what another local user may do, or
// under umask 000 to show that the process umask does not loosen the
// defaults.
const childEnv = "MEMOGRAM_UXD_ACCESS_CHILD"

// nobody is the conventional unprivileged account on Linux.
const nobody = 65534

// TestMain runs the child's part instead of the tests when the access
// tests started this process.
func TestMain(m *testing.M) {
	if mode, arg, ok := strings.Cut(os.Getenv(childEnv), " "); ok {
		os.Exit(child(mode, arg))
	}
	os.Exit(m.Run())
}

// child does what the parent test asked, prints the outcome on one line
// and returns the exit code.
func child(mode, arg string) int {
	switch mode {
	case "send":
		// connect(2) on a datagram socket checks write permission on the
		// socket file; the write would not happen without it.
		c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: arg, Net: "unixgram"})
		if err == nil {
			_, err = c.Write([]byte("from another user"))
			c.Close()
		}
		switch {
		case err == nil:
			fmt.Println("sent")
		case errors.Is(err, syscall.EACCES):
			fmt.Println("EACCES")
		default:
			fmt.Println("error:", err)
		}
	case "umask0":
		syscall.Umask(0)
		p, err := uxd.Open(uxd.Config{Path: filepath.Join(arg, "made", "s.uxd")})
		if err != nil {
			fmt.Println("error:", err)
			return 0
		}
		sock, _ := os.Lstat(p.LocalAddr().String())
		dir, _ := os.Lstat(filepath.Join(arg, "made"))
		fmt.Printf("%#o %#o\n", sock.Mode().Perm(), dir.Mode().Perm())
		p.Close()
	default:
		fmt.Fprintf(os.Stderr, "unknown child mode %q\n", mode)
		return 2
	}
	return 0
}

// runChild runs the test binary bin as a child (TestMain) with the given
// mode and returns its first line of output.
func runChild(t *testing.T, bin, mode string, cred *syscall.Credential) string {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), childEnv+"="+mode)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	cmd.Dir = "/"
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child %q: %v\n%s", mode, err, out)
	}
	line, _, _ := strings.Cut(string(out), "\n")
	return line
}

// publicCopy copies the test binary where another user can run it: go
// test builds it in a directory only its owner may enter.
func publicCopy(t *testing.T) (bin, dir string) {
	t.Helper()
	dir = shortDir(t)
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.Open(self)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	bin = filepath.Join(dir, "child.test")
	dst, err := os.OpenFile(bin, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	return bin, dir
}

// By default only the socket's owner may send to it: another local user
// (nobody) gets EACCES. The socket sits in a directory everyone may
// search, so the socket's own mode is what refuses; with a Umask that
// widens the mode the same user gets through, and the datagram arrives.
func TestOtherUserRefused(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to start a child process as another user (nobody, uid 65534); CI runs as root")
	}
	bin, dir := publicCopy(t)
	cred := &syscall.Credential{Uid: nobody, Gid: nobody}
	for _, c := range []struct {
		name  string
		umask *fs.FileMode
		mode  fs.FileMode
		want  string
	}{
		{"default", nil, uxd.DefaultSocketMode, "EACCES"},
		{"umask-077", new(fs.FileMode(0o077)), 0o700, "EACCES"},
		{"umask-000", new(fs.FileMode(0)), 0o777, "sent"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, c.name+".uxd")
			p := open(t, uxd.Config{Path: path, Umask: c.umask})
			fi, err := os.Lstat(path)
			if err != nil || fi.Mode().Perm() != c.mode {
				t.Fatalf("socket mode %v (%v), want %#o", fi.Mode(), err, c.mode)
			}
			if got := runChild(t, bin, "send "+path, cred); got != c.want {
				t.Fatalf("nobody sending to a %#o socket: %q, want %q", c.mode, got, c.want)
			}
			if err := p.SetReadDeadline(time.Now().Add(time.Second)); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 64)
			n, _, err := p.ReadFrom(buf)
			switch c.want {
			case "sent":
				if err != nil || string(buf[:n]) != "from another user" {
					t.Fatalf("nothing from the other user: %q, %v", buf[:n], err)
				}
			default:
				if !errors.Is(err, os.ErrDeadlineExceeded) {
					t.Fatalf("a refused sender's datagram arrived: %q, %v", buf[:n], err)
				}
			}
		})
	}
}

// Under umask 000 (where hio's socket is srwxrwxrwx) the defaults still
// hold: socket 0600, created directory 0700. The umask is set in a child
// process, since it is process-wide.
func TestDefaultModesIgnoreUmask(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	got := runChild(t, self, "umask0 "+shortDir(t), nil)
	if want := fmt.Sprintf("%#o %#o", uxd.DefaultSocketMode, uxd.DefaultDirMode); got != want {
		t.Fatalf("under umask 000: socket, directory modes %q, want %q", got, want)
	}
}
