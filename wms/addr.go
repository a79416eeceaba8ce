package wms

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/memogram/memogram/transport"
)

const (
	// Network is what Addr.Network reports.
	Network = "wms"

	// LocalPrefix turns a slot name into the Win32 path of a mailslot on
	// this computer.
	LocalPrefix = `\\.\mailslot\`

	// MaxNameLen is the longest slot name accepted, in UTF-16 code units
	// (what Windows counts). With the 14-unit LocalPrefix a path stays well
	// below the classic 260-unit MAX_PATH, which `\\.\` paths are still
	// subject to.
	MaxNameLen = 200
)

// ErrInvalidName is matched by every error about a malformed slot name.
var ErrInvalidName = errors.New("wms: invalid mailslot name")

// Addr is a local mailslot address: Name is the part after `\\.\mailslot\`
// and may hold several `\`-separated levels. Windows compares mailslot
// names without regard to case, so two Addrs name the same slot when Equal
// reports true, even if == does not.
type Addr struct{ Name string }

var _ net.Addr = Addr{}

// Network returns "wms".
func (a Addr) Network() string { return Network }

// String returns the slot name exactly as given, without LocalPrefix: that is
// the form peers exchange and the wire log records.
func (a Addr) String() string { return a.Name }

// Path returns the Win32 path that CreateMailslotW and CreateFileW take.
func (a Addr) Path() string { return LocalPrefix + a.Name }

// Equal reports whether a and b name the same mailslot.
func (a Addr) Equal(b Addr) bool { return strings.EqualFold(a.Name, b.Name) }

// ParseAddr checks a slot name and returns its Addr. The full local form
// `\\.\mailslot\name` is accepted too and reduced to name. Names of remote
// mailslots (`\\host\mailslot\…`, `\\*\mailslot\…`) are refused with an error
// matching transport.ErrUnsupported: they are limited to 424-byte messages
// and are being retired by Microsoft, so this transport is local only.
func ParseAddr(s string) (Addr, error) {
	if len(s) >= len(LocalPrefix) && strings.EqualFold(s[:len(LocalPrefix)], LocalPrefix) {
		s = s[len(LocalPrefix):]
	} else if isRemote(s) {
		return Addr{}, fmt.Errorf("wms: remote mailslot %q: %w", s, transport.ErrUnsupported)
	}
	if err := checkName(s); err != nil {
		return Addr{}, err
	}
	return Addr{Name: s}, nil
}

// isRemote recognises `\\host\mailslot\…`.
func isRemote(s string) bool {
	const dir = `mailslot\`
	rest, ok := strings.CutPrefix(s, `\\`)
	if !ok {
		return false
	}
	host, rest, ok := strings.Cut(rest, `\`)
	return ok && host != "" && len(rest) >= len(dir) && strings.EqualFold(rest[:len(dir)], dir)
}

// checkName enforces the rules documented on Config.Name. Beyond what Windows
// itself rejects (NUL), it refuses spellings that Win32 path normalisation
// would silently rewrite ('/' becomes '\', "." and ".." levels collapse,
// trailing dots and spaces are trimmed): the slot would then exist under a
// name other than the one this package reports and peers exchange.
func checkName(s string) error {
	bad := func(why string) error { return fmt.Errorf("%w %q: %s", ErrInvalidName, s, why) }
	if s == "" {
		return bad("empty")
	}
	if !utf8.ValidString(s) {
		return bad("not valid UTF-8")
	}
	if s[0] == '\\' {
		return bad(`starts with '\'`)
	}
	units := 0
	for _, r := range s {
		switch {
		case r == 0:
			return bad("contains NUL")
		case r == '/':
			return bad(`contains '/', which Windows reads as '\'`)
		}
		units += utf16.RuneLen(r)
	}
	if units > MaxNameLen {
		return bad(fmt.Sprintf("longer than %d UTF-16 code units", MaxNameLen))
	}
	for level := range strings.SplitSeq(s, `\`) {
		if level == "" {
			return bad("empty level")
		}
		if last := level[len(level)-1]; last == '.' || last == ' ' {
			return bad("a level ends in '.' or ' '")
		}
	}
	return nil
}

// foldKey appends to dst a form of s that is equal for two names exactly
// when strings.EqualFold says so: every rune becomes the smallest rune of its
// simple case-folding orbit. The handle cache is keyed by it, so that "A" and
// "a", one slot on Windows, share a handle.
func foldKey(dst []byte, s string) []byte {
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
			r -= 'a' - 'A'
		case r >= utf8.RuneSelf:
			least := r
			for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
				least = min(least, f)
			}
			r = least
		}
		dst = utf8.AppendRune(dst, r)
	}
	return dst
}
