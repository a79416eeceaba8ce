package wms

import (
	"errors"
	"strings"
)

// ErrEmptyDatagram is returned by Send for a zero-length datagram: Windows
// delivers one, but under Wine the read fails and the message is lost
// (MAILSLOTS.md §8 #3), so this transport never sends one. A memogram gram is
// never empty.
var ErrEmptyDatagram = errors.New("wms: empty datagram")

// Error reports a failed mailslot operation. It names the slot and matches,
// through errors.Is and errors.As, both its cause (usually a windows.Errno)
// and, when there is one, the transport sentinel the cause stands for: a
// missing destination matches transport.ErrNoDestination and
// windows.ERROR_FILE_NOT_FOUND.
type Error struct {
	Op   string // "create", "send", "receive", "close" or "security"
	Slot string // the slot name, as Addr.String gives it
	Kind error  // a transport sentinel, or nil
	Err  error  // the cause
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("wms: ")
	b.WriteString(e.Op)
	switch e.Op {
	case "send":
		b.WriteString(" to")
	case "receive":
		b.WriteString(" on")
	}
	b.WriteString(" ")
	b.WriteString(e.Slot)
	b.WriteString(": ")
	if e.Kind != nil {
		b.WriteString(e.Kind.Error())
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the sentinel (if any) and the cause.
func (e *Error) Unwrap() []error {
	if e.Kind == nil {
		return []error{e.Err}
	}
	return []error{e.Kind, e.Err}
}
