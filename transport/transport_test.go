package transport

import (
	"bytes"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWireLogFormatMatchesHio(t *testing.T) {
	// hio's UDP test: one shared log, alpha on 6101 sending to beta on 6102.
	var buf bytes.Buffer
	wl := NewWireLog(&buf)
	wl.Tx(&net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 6102}, []byte("alpha sends to beta"))
	wl.Rx(&net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 6101}, []byte("alpha sends to beta"))
	want := "\nTx ('127.0.0.1', 6102):\nalpha sends to beta\n\nRx ('127.0.0.1', 6101):\nalpha sends to beta\n"
	if buf.String() != want {
		t.Fatalf("got %q\nwant %q", buf.String(), want)
	}
}

func TestWireLogDirectionsAndNil(t *testing.T) {
	var rx, tx bytes.Buffer
	wl := NewSplitWireLog(&rx, nil)
	wl.Rx(nil, []byte("a"))
	wl.Tx(&net.UnixAddr{Name: "/x.uxd", Net: "unixgram"}, []byte("b"))
	if rx.String() != "\nRx None:\na\n" || tx.Len() != 0 {
		t.Fatalf("rx %q tx %q", rx.String(), tx.String())
	}
	var nilLog *WireLog
	nilLog.Rx(nil, []byte("ignored")) // a nil log logs nothing and does not panic
	nilLog.Tx(nil, nil)
}

func TestCreateWireLogFilesAndCleanup(t *testing.T) {
	base := t.TempDir()
	wl, err := CreateWireLog(base, "alpha", false, true)
	if err != nil {
		t.Fatal(err)
	}
	wl.Tx(&net.UnixAddr{Name: "/b.uxd", Net: "unixgram"}, []byte("x"))
	dirs, _ := os.ReadDir(base)
	if len(dirs) != 1 || !strings.HasPrefix(dirs[0].Name(), "test_") || !strings.HasSuffix(dirs[0].Name(), "_temp") {
		t.Fatalf("temp dir layout: %v", dirs)
	}
	files, _ := os.ReadDir(filepath.Join(base, dirs[0].Name()))
	if len(files) != 2 || !strings.HasSuffix(files[0].Name(), ".rx.log") || !strings.HasSuffix(files[1].Name(), ".tx.log") {
		t.Fatalf("files: %v", files)
	}
	b, _ := os.ReadFile(filepath.Join(base, dirs[0].Name(), files[1].Name()))
	if string(b) != "\nTx /b.uxd:\nx\n" {
		t.Fatalf("tx log %q", b)
	}
	if err := wl.Close(); err != nil {
		t.Fatal(err)
	}
	if dirs, _ := os.ReadDir(base); len(dirs) != 0 {
		t.Fatalf("temporary log left %v", dirs)
	}
}

func TestErrors(t *testing.T) {
	var err error = &DatagramTooLargeError{Size: 70000, Max: 65535}
	if !errors.Is(err, ErrDatagramTooLarge) || errors.Is(err, ErrNoDestination) {
		t.Fatal("DatagramTooLargeError does not match its sentinel alone")
	}
	var dt *DatagramTooLargeError
	if !errors.As(err, &dt) || dt.Max != 65535 || !strings.Contains(err.Error(), "65535") {
		t.Fatal(err)
	}
	if !errors.Is(ErrUnsupported, errors.ErrUnsupported) {
		t.Fatal("ErrUnsupported does not match errors.ErrUnsupported")
	}
}

// TxParts records a gathered datagram as Tx records its concatenation.
func TestWireLogTxParts(t *testing.T) {
	var gathered, whole bytes.Buffer
	who := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 7}
	NewWireLog(&gathered).TxParts(who, [][]byte{[]byte("head|"), nil, []byte("body")})
	NewWireLog(&gathered).TxParts(who, [][]byte{[]byte("one")})
	NewWireLog(&whole).Tx(who, []byte("head|body"))
	NewWireLog(&whole).Tx(who, []byte("one"))
	if gathered.String() != whole.String() {
		t.Fatalf("TxParts logged %q, Tx %q", gathered.String(), whole.String())
	}
	var nilLog *WireLog
	nilLog.TxParts(who, [][]byte{[]byte("x")}) // a nil log records nothing and does not panic
}
