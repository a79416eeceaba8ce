package wms

import (
	"bytes"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/windows"

	"github.com/memogram/memogram/transport"
)

// The behaviour wms shares with the other transports is tested by
// TestConformance (internal/transporttest); this file tests what is its
// own: names, security descriptors and source names.

func TestOpenCloseReopen(t *testing.T) {
	name := testName(t)
	p := openPeer(t, Config{Name: name})
	if !p.Opened() || p.Name() != name || p.LocalAddr() != (Addr{Name: name}) || p.LocalAddr().Network() != "wms" {
		t.Fatalf("Opened, Name, LocalAddr = %v, %q, %#v", p.Opened(), p.Name(), p.LocalAddr())
	}
	if p.BufSize() != 65535 || p.BufCount() != 0 || p.MaxDatagramSize() != 65535 {
		t.Errorf("BufSize, BufCount, MaxDatagramSize = %d, %d, %d; want 65535, 0, 65535", p.BufSize(), p.BufCount(), p.MaxDatagramSize())
	}
	if err := p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if p.Opened() {
		t.Error("Opened after Close")
	}
	checkClosed(t, p)

	// The name is free again once the slot is closed.
	other := openPeer(t, Config{Name: name})
	other.Close()

	if err := p.Reopen(); err != nil {
		t.Fatalf("Reopen after Close: %v", err)
	}
	if !p.Opened() || p.Name() != name {
		t.Fatalf("after Reopen: Opened %v, Name %q", p.Opened(), p.Name())
	}
	// Reopen of an open slot: same name, and what was queued is gone.
	send(t, p, p, []byte("lost"))
	if err := p.Reopen(); err != nil {
		t.Fatalf("Reopen while open: %v", err)
	}
	if _, _, err := p.Receive(); !errors.Is(err, transport.ErrWouldBlock) {
		t.Fatalf("Receive after Reopen = %v, want ErrWouldBlock", err)
	}
	send(t, p, p, []byte("reopened"))
	if got := receive(t, p); string(got) != "reopened" {
		t.Fatalf("got %q", got)
	}
	if err := p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// checkClosed asserts that the methods of a closed Peer that
// TestConformance does not cover report net.ErrClosed.
func checkClosed(t *testing.T, p *Peer) {
	t.Helper()
	var oe *net.OpError
	if err := p.SetDeadline(time.Time{}); !errors.Is(err, net.ErrClosed) || !errors.As(err, &oe) || oe.Op != "set" {
		t.Errorf("SetDeadline after Close: %v", err)
	}
	if _, err := p.SecurityDescriptor(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("SecurityDescriptor after Close: %v", err)
	}
}

func TestNameCollision(t *testing.T) {
	name := testName(t)
	openPeer(t, Config{Name: name})
	for _, taken := range []string{name, strings.ToUpper(name), `\\.\MAILSLOT\` + name} {
		p, err := Open(Config{Name: taken})
		if err == nil {
			p.Close()
			t.Errorf("Open(%q) succeeded while %q is open", taken, name)
			continue
		}
		var oe *net.OpError
		if !errors.Is(err, transport.ErrAddrInUse) || !errors.Is(err, windows.ERROR_ALREADY_EXISTS) ||
			!errors.As(err, &oe) || oe.Op != "listen" || oe.Addr == nil || !strings.EqualFold(oe.Addr.String(), name) ||
			!strings.Contains(err.Error(), oe.Addr.String()) {
			t.Errorf("Open(%q): err = %v; want ErrAddrInUse and ERROR_ALREADY_EXISTS naming the slot", taken, err)
		}
	}
}

func TestTemporaryName(t *testing.T) {
	p := openPeer(t, Config{Name: testName(t), Base: "team", Temporary: true})
	name := p.Name()
	if !strings.HasPrefix(name, TempPrefix) || !strings.Contains(name, TempSuffix+`\hio\wms\team\memogram_test\`) {
		t.Fatalf("temporary name %q", name)
	}
	if err := p.Reopen(); err != nil || p.Name() != name {
		t.Fatalf("Reopen: %v; name %q, was %q", err, p.Name(), name)
	}
	send(t, p, p, []byte("temp"))
	if got := receive(t, p); string(got) != "temp" {
		t.Fatalf("got %q", got)
	}
}

// The longest name ParseAddr accepts must work with the real calls.
func TestLongestName(t *testing.T) {
	prefix := testName(t) + `\`
	name := prefix + strings.Repeat("n", MaxNameLen-len(prefix))
	p := openPeer(t, Config{Name: name})
	send(t, p, p, []byte("long"))
	if got := receive(t, p); string(got) != "long" {
		t.Fatalf("got %q", got)
	}
	if _, err := Open(Config{Name: name + "n"}); !errors.Is(err, ErrInvalidName) {
		t.Fatalf("a name one unit longer: err = %v, want ErrInvalidName", err)
	}
}

func TestSecurityDescriptor(t *testing.T) {
	user, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		t.Fatal(err)
	}
	owner := "D:P(A;;FA;;;" + user.User.Sid.String() + ")(A;;FA;;;SY)"
	umask := func(u uint32) *uint32 { return &u }
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"default", Config{}, owner},
		{"umask022", Config{Umask: umask(0o022)}, owner},
		{"umask002", Config{Umask: umask(0o002)}, owner + "(A;;FW;;;BU)"},
		{"umask000", Config{Umask: umask(0)}, owner + "(A;;FW;;;BU)(A;;FW;;;WD)"},
		{"umask020", Config{Umask: umask(0o020)}, owner + "(A;;FW;;;WD)"},
		{"sddl", Config{SDDL: "D:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;FW;;;AU)"}, "D:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;FW;;;AU)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := openPeer(t, tc.cfg)
			if p.sddl != tc.want {
				t.Errorf("built descriptor %q, want %q", p.sddl, tc.want)
			}
			got, err := p.SecurityDescriptor()
			if err != nil {
				t.Fatalf("SecurityDescriptor: %v", err)
			}
			// Wine 8.0 stores and returns the descriptor given at creation,
			// as Windows does, so the read-back DACL is asserted too.
			if i := strings.Index(got, "D:"); i < 0 || got[i:] != tc.want {
				t.Errorf("read back %q, want DACL %q", got, tc.want)
			}
			if !strings.HasPrefix(got, "O:") {
				t.Errorf("read back %q has no owner", got)
			}
		})
	}
	if _, err := Open(Config{Name: testName(t), SDDL: "not sddl"}); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("bad SDDL: err = %v, want ErrInvalidConfig", err)
	}
}

func TestSourceCarrier(t *testing.T) {
	p := openPeer(t, Config{})
	a, err := p.ResolveSource(p.Name())
	if err != nil || a != p.LocalAddr() {
		t.Fatalf("ResolveSource(%q) = %v, %v", p.Name(), a, err)
	}
	send(t, p, p, []byte("via resolved"))
	if got := receive(t, p); !bytes.Equal(got, []byte("via resolved")) {
		t.Fatalf("got %q", got)
	}
	if _, err := p.ResolveSource(`\bad`); !errors.Is(err, ErrInvalidName) {
		t.Errorf("ResolveSource of a bad name: err = %v", err)
	}
}
