package memo

import (
	"errors"
	"fmt"
	"net"
	"time"
)

// What Sure delivery shows its users: the configuration, the result of a
// memo, the error of one not delivered, the counters (docs/sure.md).

// Defaults of SureConfig.
const (
	DefaultSureWindow     = 256
	DefaultSureGiveUp     = 15 * time.Second
	DefaultSureFastResend = 2
	DefaultAckDelay       = 2 * time.Millisecond
	DefaultAckEvery       = 4
	DefaultSureRemember   = 2048
	DefaultSurePeers      = 256
)

// ErrNotDelivered is matched by the error of a Sure memo that was not acked
// within SureConfig.GiveUp, was refused by its receiver, or was abandoned
// on Close. The error is a *NotDeliveredError naming memo and destination.
var ErrNotDelivered = errors.New("memo: not delivered")

// NotDeliveredError says which Sure memo did not arrive, where, and why.
type NotDeliveredError struct {
	MID    MID
	Dst    net.Addr
	Acked  int // grams the receiver acknowledged
	Grams  int // the memo's gram count
	After  time.Duration
	Reason string // "no ack within the give-up time", "refused by the receiver", "closed", "send failed"
	// Err is the transport's last error writing the memo's grams, if any
	// (a *net.OpError from the transport); errors.Is and errors.As see it.
	Err error
}

func (e *NotDeliveredError) Error() string {
	s := fmt.Sprintf("memo: memo %s to %s not delivered: %s (%d of %d grams acked after %v)",
		e.MID, e.Dst, e.Reason, e.Acked, e.Grams, e.After.Round(time.Millisecond))
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the transport error, if any.
func (e *NotDeliveredError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrNotDelivered) true.
func (e *NotDeliveredError) Is(target error) bool { return target == ErrNotDelivered }

// SureConfig tunes Sure delivery. Zero fields take the defaults.
type SureConfig struct {
	// Window bounds the grams in flight (sent, not yet acked) to one
	// destination; the receiver's advertisement may lower it.
	Window int
	// GiveUp is how long a memo may stay unacked before it fails with
	// ErrNotDelivered.
	GiveUp time.Duration
	// InitialRTO, MinRTO and MaxRTO bound the retransmission timeout
	// (internal/rtt defaults: 200 ms, 30 ms, 10 s).
	InitialRTO, MinRTO, MaxRTO time.Duration
	// FastResend is how many acks of later grams make a gram count as
	// lost before its timeout (kcp's "resend"); negative disables.
	FastResend int
	// MaxMemos bounds the Sure memos in flight at once; 0 means
	// Config.TxQueue.
	MaxMemos int

	// Receiver side.

	// AckDelay bounds how long a receiver holds an ack to coalesce it with
	// others; AckEvery grams of one memo are acked at once.
	AckDelay time.Duration
	AckEvery int
	// Remember is how many completed Sure memos a receiver remembers per
	// sender, to drop their retransmitted grams (exactly once), across at
	// most Peers senders (least recently active forgotten first).
	Remember int
	Peers    int
}

func (c SureConfig) resolved(txQueue int) SureConfig {
	if c.Window <= 0 {
		c.Window = DefaultSureWindow
	}
	if c.GiveUp <= 0 {
		c.GiveUp = DefaultSureGiveUp
	}
	if c.FastResend == 0 {
		c.FastResend = DefaultSureFastResend
	}
	if c.MaxMemos <= 0 {
		c.MaxMemos = txQueue
	}
	if c.AckDelay <= 0 {
		c.AckDelay = DefaultAckDelay
	}
	if c.AckEvery <= 0 {
		c.AckEvery = DefaultAckEvery
	}
	if c.Remember <= 0 {
		c.Remember = DefaultSureRemember
	}
	if c.Peers <= 0 {
		c.Peers = DefaultSurePeers
	}
	return c
}

// Delivery reports the fate of one Sure memo: to PopDelivery for memos
// queued by Memoit, and from SendSure.
type Delivery struct {
	MID         MID
	Dst         net.Addr
	Size        int // memo bytes
	Grams       int
	Err         error // nil when delivered; else matches ErrNotDelivered
	Elapsed     time.Duration
	Retransmits int // grams sent more than once
}

// SureStats counts Sure delivery, sender and receiver side.
type SureStats struct {
	MemosAcked      uint64 // sender: memos whose delivery was acked
	MemosFailed     uint64 // sender: memos that ended with ErrNotDelivered
	Retransmits     uint64 // sender: grams sent again
	FastRetransmits uint64 // … of which on acks of later grams
	Timeouts        uint64 // sender: retransmission timer expiries
	AcksReceived    uint64 // sender: acks applied to a memo in flight
	AcksIgnored     uint64 // sender: acks for no memo in flight, malformed, or from the wrong peer
	InFlight        int    // sender: grams in flight now, all destinations
	AcksSent        uint64 // receiver
	Duplicates      uint64 // receiver: grams of completed memos dropped (and acked again)
	Remembered      int    // receiver: completed memos remembered now
	Forgotten       uint64 // receiver: completed memos forgotten to stay within Remember and Peers
	Refused         uint64 // receiver: memos refused with an ack
}
