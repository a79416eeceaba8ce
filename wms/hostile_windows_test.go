package wms_test

import (
	"testing"

	"golang.org/x/sys/windows"

	"github.com/memogram/memogram/internal/hostiletest"
	"github.com/memogram/memogram/memo"
	"github.com/memogram/memogram/wms"
)

// TestHostileInput runs the hostile-input suite over real mailslots (under
// Wine in CI): raw garbage from one peer, up to the largest message, and a
// valid memo (source grams) from another. A Peer refuses to send a
// zero-length message (ErrEmptyDatagram), so that one is written the plain
// Win32 way, as a foreign writer would (Wine consumes it with
// ERROR_BROKEN_PIPE, docs/mailslots.md §8 #3, which the Peer reads as an
// empty datagram).
func TestHostileInput(t *testing.T) {
	rp, raw := openPeer(t), openPeer(t)
	rx := newMemoer(t, rp, memo.Config{})
	tx := newMemoer(t, openPeer(t), memo.Config{})
	addr := rp.LocalAddr()
	hostiletest.Run(t, &hostiletest.Env{
		Rx: rx, RxAddr: addr, Tx: tx,
		Raw: func(b []byte) error {
			if len(b) == 0 {
				return writeEmpty(rp.Name())
			}
			_, err := raw.WriteTo(b, addr)
			return err
		},
		MaxDatagram: raw.MaxDatagramSize(),
	})
}

func writeEmpty(name string) error {
	path, err := windows.UTF16PtrFromString(wms.LocalPrefix + name)
	if err != nil {
		return err
	}
	h, err := windows.CreateFile(path, windows.GENERIC_WRITE, windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE,
		nil, windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		return err
	}
	defer windows.CloseHandle(h)
	var n uint32
	return windows.WriteFile(h, nil, &n, nil)
}
