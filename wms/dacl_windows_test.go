package wms

import (
	"errors"
	"testing"

	"golang.org/x/sys/windows"
)

// What a slot's DACL decides, for the one user a test has: a DACL that
// grants the creating user only read access keeps that user's writers out
// on Windows, where the owner gets no implicit write right. Wine 8 does not
// check a writer's open against the DACL (it lets the writer in), but it
// does apply the DACL when the slot is created: one that leaves the user
// out entirely makes CreateMailslot fail with ERROR_ACCESS_DENIED, which
// shows that the descriptor reaches the wineserver. Either way the
// descriptor read back is the one given (TestSecurityDescriptor).
func TestDACLEnforcement(t *testing.T) {
	user, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		t.Fatal(err)
	}
	sid := user.User.Sid.String()

	readOnly := openPeer(t, Config{SDDL: "D:P(A;;FR;;;" + sid + ")"})
	err = writerOpens(readOnly.Name())
	switch {
	case onWine():
		if err != nil {
			t.Fatalf("under Wine a writer was expected to get in despite a read-only DACL (Wine does not check it); got %v: update docs/SECURITY.md and this test", err)
		}
	case !errors.Is(err, windows.ERROR_ACCESS_DENIED):
		t.Fatalf("a writer opened a slot whose DACL grants it only read: %v, want ERROR_ACCESS_DENIED", err)
	}

	owner := openPeer(t, Config{})
	if err := writerOpens(owner.Name()); err != nil {
		t.Fatalf("the owner's writer refused by the default DACL: %v", err)
	}

	p, err := Open(Config{Name: testName(t), SDDL: "D:P(A;;FA;;;SY)"})
	if err == nil {
		p.Close()
		if onWine() {
			t.Fatal("under Wine a DACL leaving the creating user out was expected to fail CreateMailslot")
		}
	} else if !errors.Is(err, windows.ERROR_ACCESS_DENIED) {
		t.Fatalf("DACL without the creating user: %v, want ERROR_ACCESS_DENIED", err)
	}
}

// writerOpens opens a writer to the slot the plain Win32 way.
func writerOpens(name string) error {
	path, err := windows.UTF16PtrFromString(LocalPrefix + name)
	if err != nil {
		return err
	}
	h, err := windows.CreateFile(path, windows.GENERIC_WRITE, windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE,
		nil, windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		return err
	}
	return windows.CloseHandle(h)
}
