package memo

import (
	"net"
	"time"
)

// Default reassembly limits. They bound what a hostile or lossy peer can make
// a receiver hold (HIO-DEFECTS A4).
const (
	DefaultMaxMemoSize     = 64 << 20
	DefaultMaxGramCount    = 1 << 20
	DefaultMaxPending      = 1024
	DefaultMaxPendingBytes = 256 << 20
	DefaultIdleTimeout     = 30 * time.Second
	defaultRecent          = 4096
	maxCandidates          = 4 // signed zeroth grams with distinct vids per mid (X3)
)

// ReceiveConfig configures reassembly. The zero value is usable.
type ReceiveConfig struct {
	// Authic accepts only signed grams, as hio's authic receivers do.
	Authic bool
	// Keep holds the keys of D and E vids; B vids verify on their own.
	Keep *Keep
	// MaxMemoSize bounds one memo; 0 means DefaultMaxMemoSize.
	MaxMemoSize int
	// MaxGramCount bounds a memo's gram count; 0 means DefaultMaxGramCount.
	MaxGramCount int
	// MaxPending bounds the memos in progress; the least recently active is
	// evicted to make room. 0 means DefaultMaxPending.
	MaxPending int
	// MaxPendingBytes bounds the bytes held for memos in progress, evicting
	// the least recently active first. 0 means DefaultMaxPendingBytes.
	MaxPendingBytes int
	// IdleTimeout evicts a memo that received no gram for this long; 0 means
	// DefaultIdleTimeout, negative disables it.
	IdleTimeout time.Duration
	// ResolveSource turns a source carried in a gram (sAAx codes) into an
	// address; nil reports it as a SourceAddr.
	ResolveSource func(name string) (net.Addr, error)
	// ReplayWindow is how long a delivered signed memo is remembered by
	// (vid, mid), so that a replay of it from any source is dropped
	// (replay.go); 0 means DefaultReplayWindow, negative disables it.
	ReplayWindow time.Duration
	// ReplayPerVID bounds the signed memos remembered per vid; 0 means
	// DefaultReplayPerVID.
	ReplayPerVID int
	// ReplayMax bounds the signed memos remembered in all; 0 means
	// DefaultReplayMax.
	ReplayMax int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Memo is a delivered memo.
type Memo struct {
	Data []byte
	// Src is the sender's address: the transport's source of the first
	// accepted gram or, when the transport has none, the source carried in
	// the zeroth gram. nil when neither exists.
	Src net.Addr
	// VID names the key that signed every gram of the memo; "" if unsigned.
	VID string
	MID MID
}

// SourceAddr is a carried source address that no transport resolved.
type SourceAddr string

func (SourceAddr) Network() string  { return "memogram" }
func (a SourceAddr) String() string { return string(a) }

// ReceiveStats counts what a receiver did. Rejected grams are counted by reason.
type ReceiveStats struct {
	Grams           uint64 // grams accepted into a memo
	Memos           uint64 // memos delivered
	Bytes           uint64 // memo bytes delivered
	Held            uint64 // signed later grams held until their zeroth gram came
	ZeroCount       uint64 // zeroth grams with gram count 0, read as 1 (HIO-DEFECTS S1)
	EvictedIdle     uint64 // memos evicted after IdleTimeout
	EvictedPressure uint64 // memos evicted for MaxPending or MaxPendingBytes
	InPlace         uint64 // memos moved into a buffer of their own half way, so that the rest of their grams were copied once (flat.go)
	IntoPlace       uint64 // grams whose body the transport read straight into its memo's buffer or arena, copied by nobody (scatter.go)
	Rejected        RejectStats
}

// RejectStats counts dropped grams by reason.
type RejectStats struct {
	Malformed     uint64 // not a gram, unknown code, bad field, too short
	Ack           uint64
	NotSigned     uint64
	BadSignature  uint64 // also held later grams no signer of their mid verified, once it completes
	UnknownSigner uint64
	Duplicate     uint64
	GramNumber    uint64
	Late          uint64
	TooLarge      uint64
	Candidates    uint64
	Replay        uint64 // a signed memo delivered inside ReplayWindow, sent again
}
