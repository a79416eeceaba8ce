package uxd

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/memogram/memogram/internal/dgram"
	"github.com/memogram/memogram/internal/filer"
	"github.com/memogram/memogram/transport"
)

const (
	// MaxGramSize is hio's uxd MaxGramSize, the unit of BufCount.
	MaxGramSize = 65535

	// DefaultBufCount is the buffer count of hio's uxd memo peer; with
	// MaxGramSize it gives a buffer size of 262140 bytes.
	DefaultBufCount = 4

	// DefaultSocketMode is the socket file's mode when Config.Umask is nil:
	// only its owner (and root) may connect or send to it.
	DefaultSocketMode fs.FileMode = 0o600

	// DefaultDirMode is the mode of directories a peer creates when
	// Config.Umask is nil: only the owner may look into them.
	DefaultDirMode fs.FileMode = 0o700

	// MaxReceiveSize is the largest datagram Receive and ReadFrom accept.
	// hio reads with its buffer size bs, 262140 by default, so an hio peer
	// with a raised gram size can send that much; larger datagrams arrive
	// truncated and are dropped (HIO-DEFECTS U8).
	MaxReceiveSize = DefaultBufCount * MaxGramSize
)

// Config describes a unix datagram peer. Either Path is set, or the path is
// built from Name, Base, HeadDir, Temporary and Clean by hio's Filer rules
// (docs/protocol.md §11).
type Config struct {
	// Path is the socket path, used exactly as given; missing parent
	// directories are created, as hio does. It excludes the Filer fields
	// below. Linux abstract addresses ("@name") are not supported.
	Path string

	// Name is the socket's file name; ".uxd" is appended when it has no
	// extension. Default "main", as hio's Filer.
	Name string
	// Base is an optional relative directory inserted before Name.
	Base string
	// HeadDir is the head of a persistent path, default /usr/local/var; a
	// leading "~" means the home directory. When the directory under it
	// cannot be created or written, ~/.hio/uxd is used instead.
	HeadDir string
	// Temporary puts the socket under a fresh
	// <tmp>/hio_uxd_<random>_test directory, which Close removes whole.
	Temporary bool
	// Clean selects hio's clean tail (hio/clean/uxd, ~/.hio/clean/uxd).
	Clean bool

	// Umask, when set, gives the socket file the mode 0777 &^ *Umask and
	// the directories the peer creates 0755 &^ *Umask | 0700, without
	// touching the process umask (HIO-DEFECTS U1); it is how access is
	// widened, e.g. 0o007 lets the socket's group send. When nil the
	// socket is DefaultSocketMode and created directories DefaultDirMode,
	// owner-only whatever the process umask (hio would follow the umask,
	// which gives srwxrwxrwx under umask 000).
	Umask *fs.FileMode

	// BufCount and BufSize follow hio's rule: a count > 0 gives a buffer
	// size of BufCount × MaxGramSize; otherwise BufSize, or 65535 when
	// that is 0. Both 0 means DefaultBufCount (262140 bytes). A negative
	// BufCount turns the default count off. At open SO_SNDBUF and SO_RCVBUF
	// are raised to the buffer size if smaller, never lowered.
	BufCount int
	BufSize  int

	// MaxDatagramSize lowers the largest datagram the peer sends; 0 means
	// the platform's maximum (see Peer.MaxDatagramSize). Larger values are
	// lowered to the platform's maximum.
	MaxDatagramSize int

	// WireLog, when not nil, records every datagram sent and received.
	WireLog *transport.WireLog
}

// settings is a validated Config.
type settings struct {
	Config
	bc, bs   int
	sockPerm fs.FileMode // the socket file's exact mode
	dirPerm  fs.FileMode // the exact mode of directories the peer creates
}

func (c Config) settings() (settings, error) {
	s := settings{Config: c}
	if c.Path != "" {
		if c.Name != "" || c.Base != "" || c.HeadDir != "" || c.Temporary || c.Clean {
			return s, errors.New("uxd: Path excludes Name, Base, HeadDir, Temporary and Clean")
		}
	} else {
		if s.Name == "" {
			s.Name = "main"
		}
		if err := filer.CheckNames(s.Name, s.Base); err != nil {
			return s, fmt.Errorf("uxd: %w", err)
		}
	}
	if c.MaxDatagramSize < 0 {
		return s, fmt.Errorf("uxd: negative MaxDatagramSize %d", c.MaxDatagramSize)
	}
	s.bc, s.bs = bufSizes(c.BufCount, c.BufSize)

	if c.Umask == nil {
		s.sockPerm, s.dirPerm = DefaultSocketMode, DefaultDirMode
		return s, nil
	}
	if *c.Umask&^fs.ModePerm != 0 {
		return s, fmt.Errorf("uxd: Umask %#o has bits outside 0777", uint32(*c.Umask))
	}
	s.sockPerm = fs.ModePerm &^ *c.Umask
	// Owners always keep full access and nobody else may write: a
	// group- or world-writable directory would let others replace the
	// socket.
	s.dirPerm = 0o755&^*c.Umask | 0o700
	return s, nil
}

// bufSizes applies hio's bc/bs rule (docs/protocol.md §10.1) with this
// transport's default count and gram size.
func bufSizes(count, size int) (bc, bs int) {
	return dgram.BufSizes(count, size, DefaultBufCount, MaxGramSize)
}
