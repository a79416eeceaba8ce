package wms

import "errors"

// ErrEmptyDatagram is returned by Send for a zero-length datagram: Windows
// delivers one, but under Wine the read fails and the message is lost
// (docs/mailslots.md §8 #3), so this transport never sends one. A memogram gram is
// never empty.
var ErrEmptyDatagram = errors.New("wms: empty datagram")
