package memo

import (
	"crypto/ed25519"
	"crypto/subtle"
	"encoding/hex"
	"sync"

	"lukechampine.com/blake3"
)

// VIDCode selects how a vid names a verification key (docs/protocol.md §3.5).
type VIDCode byte

const (
	// VIDB is the Ed25519 key itself, non-transferable: self-certifying,
	// a receiver needs no keep entry.
	VIDB VIDCode = 'B'
	// VIDD is the Ed25519 key itself, transferable: receivers need a keep entry.
	VIDD VIDCode = 'D'
	// VIDE is the BLAKE3-256 digest of the key: receivers need a keep entry.
	VIDE VIDCode = 'E'
)

// Signer signs grams with an Ed25519 key and names itself by a vid.
type Signer struct {
	priv ed25519.PrivateKey
	pub  ed25519.PublicKey
	vid  string
	bvid [33]byte
}

// NewSigner derives the Ed25519 key pair from a 32-byte seed, as hio does,
// and names it with a vid of the given code.
func NewSigner(seed []byte, code VIDCode) (*Signer, error) {
	if len(seed) != ed25519.SeedSize {
		return nil, errorf(ErrBadKey, "seed must be %d bytes, got %d", ed25519.SeedSize, len(seed))
	}
	priv := ed25519.NewKeyFromSeed(seed)
	pub := priv.Public().(ed25519.PublicKey)
	vid, err := EncodeVID(code, pub)
	if err != nil {
		return nil, err
	}
	s := &Signer{priv: priv, pub: pub, vid: vid}
	decodeQuads(s.bvid[:], []byte(vid))
	return s, nil
}

// NewSignerHex is NewSigner with the seed as 64 hex characters.
func NewSignerHex(seedHex string, code VIDCode) (*Signer, error) {
	seed, err := hex.DecodeString(seedHex)
	if err != nil {
		return nil, errorf(ErrBadKey, "seed is not hex: %v", err)
	}
	return NewSigner(seed, code)
}

// VID returns the signer's 44-character vid.
func (s *Signer) VID() string { return s.vid }

// PublicKey returns the verification key.
func (s *Signer) PublicKey() ed25519.PublicKey { return s.pub }

// QVK returns the verification key in hio's keep form ('B' + key).
func (s *Signer) QVK() string { return qualify("B", s.pub) }

// QSS returns the seed in hio's keep form ('A' + seed).
func (s *Signer) QSS() string { return qualify("A", s.priv.Seed()) }

// EncodeVID names a verification key with a vid: 'B'/'D' + key, or
// 'E' + BLAKE3-256(key).
func EncodeVID(code VIDCode, pub ed25519.PublicKey) (string, error) {
	if len(pub) != ed25519.PublicKeySize {
		return "", errorf(ErrBadKey, "verification key must be %d bytes", ed25519.PublicKeySize)
	}
	switch code {
	case VIDB, VIDD:
		return qualify(string(code), pub), nil
	case VIDE:
		sum := blake3.Sum256(pub)
		return qualify("E", sum[:]), nil
	}
	return "", errorf(ErrBadKey, "vid code %q is not B, D or E", byte(code))
}

// ParseQVK decodes hio's keep form of a verification key ('B' + 32 bytes).
func ParseQVK(qvk string) (ed25519.PublicKey, error) {
	raw, ok := unqualify(qvk, "B", ed25519.PublicKeySize)
	if !ok {
		return nil, errorf(ErrBadKey, "qvk %q is not 'B' + 32 bytes", qvk)
	}
	return ed25519.PublicKey(raw), nil
}

// Keep holds the verification keys of D and E vids, by text vid (hio's
// keep, without the seeds). B vids need no entry. A Keep is safe for
// concurrent use; the nil *Keep is empty.
type Keep struct {
	mu   sync.RWMutex
	keys map[[33]byte]ed25519.PublicKey
}

// NewKeep returns an empty keep.
func NewKeep() *Keep { return &Keep{keys: make(map[[33]byte]ed25519.PublicKey)} }

// Add trusts vid with the verification key qvk. Unlike hio (HIO-DEFECTS X4)
// it refuses a D vid that is not the key itself and an E vid that is not
// the key's BLAKE3-256 digest.
func (k *Keep) Add(vid, qvk string) error {
	pub, err := ParseQVK(qvk)
	if err != nil {
		return err
	}
	return k.AddKey(vid, pub)
}

// AddKey is Add with the raw verification key.
func (k *Keep) AddKey(vid string, pub ed25519.PublicKey) error {
	if len(vid) != vidSize {
		return errorf(ErrBadKey, "vid %q is not %d characters", vid, vidSize)
	}
	want, err := EncodeVID(VIDCode(vid[0]), pub)
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(vid)) != 1 {
		return errorf(ErrBadKey, "vid %s does not name key %s", vid, qualify("B", pub))
	}
	var b [33]byte
	decodeQuads(b[:], []byte(vid))
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.keys == nil {
		k.keys = make(map[[33]byte]ed25519.PublicKey)
	}
	k.keys[b] = pub
	return nil
}

// AddSigner trusts a signer's vid.
func (k *Keep) AddSigner(s *Signer) error { return k.AddKey(s.vid, s.pub) }

// verifier returns the key that verifies grams under a binary vid.
func (k *Keep) verifier(bvid *[33]byte) (ed25519.PublicKey, bool) {
	switch bvid[0] >> 2 {
	case 1: // 'B': the vid is the key
		return ed25519.PublicKey(bvid[1:]), true
	case 3, 4: // 'D', 'E'
		if k == nil {
			return nil, false
		}
		k.mu.RLock()
		defer k.mu.RUnlock()
		pub, ok := k.keys[*bvid]
		return pub, ok
	}
	return nil, false
}

// SignerFor returns the signer for vid from its seed, as hio's keep lookup
// does, but refuses a seed whose key the vid does not name (HIO-DEFECTS S6)
// and a missing seed.
func SignerFor(vid string, seed []byte) (*Signer, error) {
	if len(vid) != vidSize {
		return nil, errorf(ErrBadKey, "vid %q is not %d characters", vid, vidSize)
	}
	if seed == nil {
		return nil, errorf(ErrBadKey, "no seed for vid %s", vid)
	}
	s, err := NewSigner(seed, VIDCode(vid[0]))
	if err != nil {
		return nil, err
	}
	if s.vid != vid {
		return nil, errorf(ErrBadKey, "seed signs for %s, not %s", s.vid, vid)
	}
	return s, nil
}
