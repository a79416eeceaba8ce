package wms

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/memogram/memogram/transport"
)

const (
	// MaxGramSize is hio's gram size for mailslots, the unit of BufCount and
	// the default MaxMessageSize.
	MaxGramSize = 65535

	// DefaultPollInterval is the default Config.PollInterval.
	DefaultPollInterval = 20 * time.Millisecond

	// TailPath, TempPrefix and TempSuffix are hio's Filer values for its
	// mailslot peer (docs/protocol.md §11), reused for derived slot names.
	TailPath   = `hio\wms`
	TempPrefix = "hio_wms_"
	TempSuffix = "_test"

	maxBufCount    = 32768 // keeps BufCount × MaxGramSize within an int32
	maxPoll        = time.Minute
	tempRandLength = 8
)

// ErrInvalidConfig is matched by every error about a Config value other than
// a malformed slot name (ErrInvalidName).
var ErrInvalidConfig = errors.New("wms: invalid config")

// Config describes a mailslot peer for Open.
type Config struct {
	// Name is the slot name. With Base empty and Temporary false it is used
	// exactly as given (after `\\.\mailslot\`); otherwise it is the last
	// level of a derived name:
	//
	//	Base set:   hio\wms\<Base>\<Name>
	//	Temporary:  hio_wms_<8 random>_test\hio\wms\[<Base>\]<Name>
	//
	// (PersistentAddr gives the derived persistent name for an empty Base.)
	// A name may hold `\`-separated levels; it must be non-empty, valid
	// UTF-8, at most MaxNameLen UTF-16 units in all, and must not start with
	// `\`, contain NUL or '/', or have an empty level or one ending in '.' or
	// ' '. Windows compares mailslot names without regard to case.
	Name string

	// Base is an optional middle part of a derived name (see Name).
	Base string

	// Temporary derives a fresh random name at Open, in the spirit of hio's
	// temporary Filer paths. Reopen keeps that name: the address peers know
	// stays valid.
	Temporary bool

	// BufCount and BufSize follow hio: BufCount > 0 makes the buffer size
	// BufCount × MaxGramSize; otherwise it is BufSize, or MaxGramSize when
	// BufSize is 0. A mailslot has no socket buffers to size: the buffer
	// size only bounds MaxMessageSize, as hio's receive size bounds the
	// largest datagram it reads in full.
	BufCount int
	BufSize  int

	// MaxMessageSize is the largest message the slot accepts and this peer
	// sends (CreateMailslotW's nMaxMessageSize). 0 means the smaller of the
	// buffer size and MaxGramSize. Larger messages are refused by Send, and
	// discarded by the receiver with a *transport.DatagramTooLargeError when
	// a writer that does not check sends one (Windows rejects such writes;
	// Wine does not).
	MaxMessageSize int

	// Umask maps a unix umask onto the slot's access rules; nil (the
	// default) lets only the creating user and SYSTEM open the slot.
	// Otherwise, with perm = 0o777 &^ *Umask, the group write bit (0o020)
	// lets the local Users group write and the other write bit (0o002) lets
	// Everyone write. Read and execute bits mean nothing: only the creator's
	// handle can read a mailslot. With Go 1.26, write Umask: new(uint32(0o002)).
	Umask *uint32

	// SDDL, if set, is the security descriptor used as is, instead of one
	// derived from Umask; setting both is an error.
	SDDL string

	// PollInterval bounds each wait of a blocking ReadFrom: the slot's read
	// timeout while waiting, and so how long Close, Reopen or a changed
	// deadline may take to reach a blocked reader. A finite wait is needed
	// because nothing wakes a mailslot read under Wine (docs/mailslots.md §8 #7).
	// 0 means DefaultPollInterval; it is rounded up to whole milliseconds.
	PollInterval time.Duration

	// WireLog, if set, records every datagram received (source None) and
	// sent (destination slot name).
	WireLog *transport.WireLog
}

// settings is a validated Config, fixed for the life of a Peer.
type settings struct {
	addr    Addr
	bc, bs  int
	max     int
	poll    time.Duration
	umask   *uint32
	sddl    string
	wirelog *transport.WireLog
}

func (c Config) settings() (settings, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...)
	}
	s := settings{poll: c.PollInterval, sddl: c.SDDL, wirelog: c.WireLog}
	addr, err := c.addr()
	if err != nil {
		return s, err
	}
	s.addr = addr
	switch {
	case c.BufCount > maxBufCount:
		return s, bad("BufCount %d exceeds %d", c.BufCount, maxBufCount)
	case c.BufCount > 0:
		s.bc, s.bs = c.BufCount, c.BufCount*MaxGramSize
	case c.BufSize < 0:
		return s, bad("negative BufSize %d", c.BufSize)
	case c.BufSize > 0:
		s.bs = c.BufSize
	default:
		s.bs = MaxGramSize
	}
	switch {
	case c.MaxMessageSize < 0:
		return s, bad("negative MaxMessageSize %d", c.MaxMessageSize)
	case c.MaxMessageSize > s.bs:
		return s, bad("MaxMessageSize %d exceeds the buffer size %d", c.MaxMessageSize, s.bs)
	case c.MaxMessageSize > 0:
		s.max = c.MaxMessageSize
	default:
		s.max = min(s.bs, MaxGramSize)
	}
	switch {
	case s.poll < 0 || s.poll > maxPoll:
		return s, bad("PollInterval %v outside (0, %v]", s.poll, maxPoll)
	case s.poll == 0:
		s.poll = DefaultPollInterval
	}
	// The slot's read timeout is in whole milliseconds.
	s.poll = (s.poll + time.Millisecond - 1).Truncate(time.Millisecond)
	if c.Umask != nil {
		if c.SDDL != "" {
			return s, bad("both Umask and SDDL set")
		}
		u := *c.Umask // a later change by the caller must not reach a Reopen
		s.umask = &u
	}
	return s, nil
}

// addr applies the naming scheme documented on Config.Name.
func (c Config) addr() (Addr, error) {
	if c.Base == "" && !c.Temporary {
		return ParseAddr(c.Name)
	}
	if !c.Temporary {
		return PersistentAddr(c.Base, c.Name)
	}
	if err := checkLevels(c.Base, c.Name); err != nil {
		return Addr{}, err
	}
	random := strings.ToLower(rand.Text()[:tempRandLength])
	return ParseAddr(join(TempPrefix+random+TempSuffix, TailPath, c.Base, c.Name))
}

// PersistentAddr returns the derived persistent address hio\wms\[<base>\]<name>
// of a peer, the one Open gives for Config{Name: name, Base: base} when base
// is set. Peers that agree on it find each other without exchanging names.
func PersistentAddr(base, name string) (Addr, error) {
	if err := checkLevels(base, name); err != nil {
		return Addr{}, err
	}
	return ParseAddr(join(TailPath, base, name))
}

// checkLevels checks the parts of a derived name on their own, so that an
// error names the part at fault, and so that an empty name is not hidden by
// the join.
func checkLevels(base, name string) error {
	if base != "" {
		if err := checkName(base); err != nil {
			return err
		}
	}
	return checkName(name)
}

func join(levels ...string) string {
	var b strings.Builder
	for _, l := range levels {
		if l == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\\')
		}
		b.WriteString(l)
	}
	return b.String()
}
