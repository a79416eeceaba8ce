package transport

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// WireLog records raw datagrams in hio's WireLog record format
// (docs/protocol.md §12): "\n" + dx + " " + who + ":\n" + data + "\n", where dx is
// "Rx" or "Tx" and who is the peer address. Peers call Rx after every
// successful receive (grams later rejected are logged too) and Tx after every
// successful send.
//
// A WireLog is safe for concurrent use. Its zero value logs nothing.
type WireLog struct {
	mu     sync.Mutex
	rx, tx io.Writer
	files  []*os.File
	dir    string // removed on Close when the log created it
	failed uint64 // records a writer refused
	err    error  // the first such error
}

// NewWireLog returns a log that writes both directions into w, in order
// (hio's "samed" sink). Either direction is off when its writer is nil.
func NewWireLog(w io.Writer) *WireLog { return &WireLog{rx: w, tx: w} }

// NewSplitWireLog returns a log with one writer per direction; a nil writer
// switches that direction off (hio's rxed/txed).
func NewSplitWireLog(rx, tx io.Writer) *WireLog { return &WireLog{rx: rx, tx: tx} }

// CreateWireLog opens log files in dir, named as hio names them:
// <name>.<UTC %Y-%m-%d_%H-%M-%S_%f>.log when samed, else .rx.log and .tx.log.
// When temp is true dir is created under the OS temporary directory and
// removed by Close.
func CreateWireLog(dir, name string, samed, temp bool) (*WireLog, error) {
	l := &WireLog{}
	if temp {
		d, err := os.MkdirTemp(dir, "test_*_temp")
		if err != nil {
			return nil, err
		}
		dir, l.dir = d, d
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	stamp := now.Format("2006-01-02_15-04-05_") + fmt.Sprintf("%06d", now.Nanosecond()/1000)
	create := func(suffix string) (*os.File, error) {
		f, err := os.OpenFile(filepath.Join(dir, name+"."+stamp+suffix), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
		if err == nil {
			l.files = append(l.files, f)
		}
		return f, err
	}
	if samed {
		f, err := create(".log")
		if err != nil {
			l.Close()
			return nil, err
		}
		l.rx, l.tx = f, f
		return l, nil
	}
	rx, err := create(".rx.log")
	if err != nil {
		l.Close()
		return nil, err
	}
	tx, err := create(".tx.log")
	if err != nil {
		l.Close()
		return nil, err
	}
	l.rx, l.tx = rx, tx
	return l, nil
}

// Rx records a received datagram from who (nil when the source is unknown).
func (l *WireLog) Rx(who net.Addr, data []byte) { l.record(l.rxWriter(), "Rx", who, data) }

// Tx records a datagram sent to who.
func (l *WireLog) Tx(who net.Addr, data []byte) { l.record(l.txWriter(), "Tx", who, data) }

func (l *WireLog) rxWriter() io.Writer {
	if l == nil {
		return nil
	}
	return l.rx
}

// TxParts records a datagram sent to who that was gathered from parts.
func (l *WireLog) TxParts(who net.Addr, parts [][]byte) {
	w := l.txWriter()
	if w == nil {
		return
	}
	if len(parts) == 1 {
		l.record(w, "Tx", who, parts[0])
		return
	}
	l.record(w, "Tx", who, bytes.Join(parts, nil))
}

func (l *WireLog) txWriter() io.Writer {
	if l == nil {
		return nil
	}
	return l.tx
}

func (l *WireLog) record(w io.Writer, dx string, who net.Addr, data []byte) {
	if w == nil {
		return
	}
	var b bytes.Buffer
	b.Grow(len(data) + 64)
	b.WriteString("\n" + dx + " ")
	b.WriteString(Who(who))
	b.WriteString(":\n")
	b.Write(data)
	b.WriteByte('\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	// A failing debug log must not fail the transport: the error is kept
	// for Err instead.
	if _, err := w.Write(b.Bytes()); err != nil {
		l.failed++
		if l.err == nil {
			l.err = err
		}
	}
}

// Err reports the first error a writer returned and how many records were
// lost to errors: writing the log never fails a send or a receive, so this
// is where a full disk or a closed file shows.
func (l *WireLog) Err() (failed uint64, first error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.failed, l.err
}

// Who renders an address as hio writes it in a wire log: a UDP address as
// Python's str() of a (host, port) tuple, None for no address, anything else
// as its String().
func Who(a net.Addr) string {
	switch a := a.(type) {
	case nil:
		return "None"
	case *net.UDPAddr:
		if a == nil {
			return "None"
		}
		return "('" + a.IP.String() + "', " + strconv.Itoa(a.Port) + ")"
	default:
		return a.String()
	}
}

// Close closes the files the log opened and removes a temporary directory.
// Logs built on caller-provided writers close nothing.
func (l *WireLog) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	var first error
	for _, f := range l.files {
		if err := f.Close(); err != nil && first == nil {
			first = err
		}
	}
	l.files = nil
	if l.dir != "" {
		if err := os.RemoveAll(l.dir); err != nil && first == nil {
			first = err
		}
		l.dir = ""
	}
	return first
}
