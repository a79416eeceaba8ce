package memo

import (
	"crypto/rand"
	"encoding/hex"
)

// MID is a memo identifier in binary form: the code "0A" (d0 00) and 16 raw
// bytes. Text and binary mids are one-to-one, so receivers key memos by
// this value exactly as hio keys them by the text form (docs/protocol.md §3.4).
type MID [18]byte

// NewMID qualifies 16 raw bytes as a mid.
func NewMID(raw [16]byte) MID {
	var m MID
	m[0] = 0xd0
	copy(m[2:], raw[:])
	return m
}

// String returns the 24-character text form.
func (m MID) String() string { return b64.EncodeToString(m[:]) }

// ParseMID parses the text form.
func ParseMID(s string) (MID, error) {
	var m MID
	if len(s) != midSize || !decodeQuads(m[:], []byte(s)) {
		return m, errorf(ErrMalformed, "mid %q", s)
	}
	return m, nil
}

// MIDSource yields the raw 16 bytes of each new mid. hio uses version-1
// UUIDs, which leak the host's MAC address and time (HIO-DEFECTS S7);
// RandomMID is the default. Tests inject fixed mids to reproduce vectors.
type MIDSource func() ([16]byte, error)

// RandomMID draws mids from crypto/rand.
func RandomMID() ([16]byte, error) {
	var raw [16]byte
	_, err := rand.Read(raw[:]) // crypto/rand.Read does not let raw escape, unlike io.ReadFull(rand.Reader, …)
	return raw, err
}

// FixedMID returns a MIDSource that always yields the mid whose raw bytes
// are given in hex; it is meant for reproducing conformance vectors.
func FixedMID(rawHex string) (MIDSource, error) {
	b, err := hex.DecodeString(rawHex)
	if err != nil || len(b) != 16 {
		return nil, errorf(ErrMalformed, "mid raw bytes %q are not 16 hex bytes", rawHex)
	}
	var raw [16]byte
	copy(raw[:], b)
	return func() ([16]byte, error) { return raw, nil }, nil
}
