package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"

	"github.com/memogram/memogram/internal/lossy"
	"github.com/memogram/memogram/memo"
)

var sendCmd = &command{
	name:     "send",
	summary:  "send memos from one address to another",
	synopsis: "send --from ADDR --to ADDR [--curt] [--gram N] [--sign-seed HEX [--vid-code B|D|E]] [--sure [--give-up DUR] [--json]] [--drop RATE] [--file F]... [--timeout DUR] [MEMO...]",
	about: `Binds --from and sends each MEMO argument as one memo, in order, then each
--file as one memo; a lone "-" sends standard input as one memo. Exits 0 once
every gram has been handed to the transport; a receiver's queue that is full
is waited on, never dropped from.

The receiver sees --from as the sender, to answer to. Without --from a
private address of --to's transport is used and removed afterwards, so the
memos cannot be answered.

--sign-seed signs every gram with the Ed25519 key of a 64-hex-character seed.
The vid names the key in its B form (self-verifying) unless --vid-code picks
D or E, which receivers must be given with --trust (see "memogram key").
Send only UTF-8 memos to hio peers: hio cannot take binary memos.

--sure sends Sure memos (docs/sure.md): each is acked by the receiver
("memogram recv" acks automatically), grams lost are sent again, and the
exit status is 1 when a memo was not acked within --give-up. With --json
stdout holds one JSON object per memo: {"memo", "mid", "bytes",
"delivered", "ms" (time to the final ack), "retransmits", "error"}. Sure
memos are sent concurrently, many in flight at once. Never use --sure
toward hio peers: hio does not ack, so the memos are reported not
delivered although they arrived.

--drop RATE is a testing aid: it drops that fraction (0…1) of the outgoing
datagrams before they reach the socket, at seeded random (--drop-seed).`,
	examples: `  memogram send --from uxd:/tmp/alice.sock --to uxd:/tmp/bob.sock "hello bob"
  memogram send --from udp:127.0.0.1:7001 --to udp:127.0.0.1:7000 --curt --file photo.jpg
  echo "signed hello" | memogram send --from wms:alice --to wms:bob --sign-seed 9f3e...c2 -`,
}

func init() { sendCmd.run = runSend }

func runSend(ctx context.Context, e *env, args []string) error {
	c := sendCmd
	fs := newFlags(c)
	from := fs.String("from", "", "bind `ADDR` and send from it (default: a private address, removed afterwards)")
	to := fs.String("to", "", "send to `ADDR` (required)")
	curt := fs.Bool("curt", false, `binary ("curt") gram heads instead of base64 text`)
	gram := fs.Int("gram", 0, "gram size in `BYTES` (default: the transport's, 65535 or UDP's 1240)")
	seed := fs.String("sign-seed", "", "sign with the Ed25519 seed `HEX` (64 hex characters)")
	vidCode := fs.String("vid-code", "", "vid form `B|D|E` of the signing key (default B; needs --sign-seed)")
	files := fs.StringArray("file", nil, "send the bytes of file `F` as one memo (repeatable)")
	timeout := fs.Duration("timeout", 0, "exit 3 if the memos are not all handed over within `DUR`")
	sure := fs.Bool("sure", false, "send Sure memos: acked, resent when lost, exit 1 if one is not delivered")
	giveUp := fs.Duration("give-up", memo.DefaultSureGiveUp, "with --sure: a memo not acked within `DUR` is not delivered")
	asJSON := fs.Bool("json", false, "with --sure: print one JSON object per memo (delivery time, retransmits)")
	drop := fs.Float64("drop", 0, "testing aid: drop this fraction `RATE` (0…1) of outgoing datagrams")
	dropSeed := fs.Uint64("drop-seed", 1, "seed of --drop")
	if help, err := c.parse(e, fs, args); help || err != nil {
		return err
	}
	if *to == "" {
		return usageErrorf("send: --to ADDR is required")
	}
	if *gram < 0 {
		return usageErrorf("send: --gram %d is negative", *gram)
	}
	if *timeout < 0 {
		return usageErrorf("send: --timeout %v is negative", *timeout)
	}
	if *drop < 0 || *drop > 1 {
		return usageErrorf("send: --drop %v is not between 0 and 1", *drop)
	}
	if *asJSON && !*sure {
		return usageErrorf("send: --json needs --sure")
	}
	signer, err := parseSigner(*seed, *vidCode)
	if err != nil {
		return err
	}
	dst, err := parseEndpoint(*to)
	if err != nil {
		return err
	}
	memos, err := readMemos(e.stdin, fs.Args(), *files)
	if err != nil {
		return err
	}

	var src endpoint
	if *from != "" {
		if src, err = parseEndpoint(*from); err != nil {
			return err
		}
		if src.kind != dst.kind {
			return usageErrorf("send: --from is %s but --to is %s: both ends must use one transport", src.kind, dst.kind)
		}
		if src.kind == tUDP && (src.udp.IP.To4() == nil) != (dst.udp.IP.To4() == nil) {
			return usageErrorf("send: --from %s and --to %s are of different IP versions", src, dst)
		}
	} else {
		s, err := newScratch(dst.kind)
		if err != nil {
			return fmt.Errorf("send: %w", err)
		}
		defer s.cleanup()
		var peer net.IP
		if dst.udp != nil {
			peer = dst.udp.IP
		}
		src = s.endpoint("send", peer)
	}

	cfg := memo.Config{Render: memo.RenderConfig{GramSize: *gram, Signer: signer}}
	if *curt {
		cfg.Render.Form = memo.Binary
	}
	conn, err := src.open(*gram)
	if err != nil {
		return transportError("send", src, err)
	}
	if *drop > 0 {
		if src.kind == tWMS {
			conn.Close()
			return usageErrorf("send: --drop is not available on mailslots")
		}
		conn = lossy.New(conn, lossy.Config{Drop: *drop, Seed: *dropSeed})
	}
	cfg.SureConfig.GiveUp = *giveUp
	m, err := memo.New(conn, cfg)
	if err != nil {
		conn.Close()
		return fmt.Errorf("send: %w", err)
	}
	defer m.Close()
	// Check every memo before the first is sent: a refusal then leaves
	// nothing half done.
	limit := m.Renderer().MaxMemoSize()
	for i, b := range memos {
		if len(b.data) > limit {
			return fmt.Errorf("send: memo %d (%s): %w: %d bytes; at gram size %d the limit is %d",
				i+1, b.name, memo.ErrMemoTooLarge, len(b.data), m.Renderer().GramSize(), limit)
		}
	}

	sctx := ctx
	if *timeout > 0 {
		var cancel context.CancelFunc
		sctx, cancel = context.WithTimeout(ctx, *timeout)
		defer cancel()
	}
	dstAddr := dst.addr()
	if *sure {
		return sendSure(ctx, sctx, e, m, memos, dstAddr, dst, *timeout, *asJSON)
	}
	for i, b := range memos {
		err := m.Send(sctx, b.data, dstAddr)
		switch {
		case ctx.Err() != nil:
			return errInterrupted
		case err != nil && (sctx.Err() != nil || errors.Is(err, context.DeadlineExceeded)):
			return timeoutError("send: timed out after %v (%d of %d memos sent to %s)", *timeout, i, len(memos), dst)
		case err != nil:
			return transportError("send", dst, err)
		}
	}
	return nil
}

// parseSigner checks --sign-seed and --vid-code.
func parseSigner(seed, code string) (*memo.Signer, error) {
	if seed == "" {
		if code != "" {
			return nil, usageErrorf("send: --vid-code needs --sign-seed")
		}
		return nil, nil
	}
	vc := memo.VIDB
	switch strings.ToUpper(code) {
	case "", "B":
	case "D":
		vc = memo.VIDD
	case "E":
		vc = memo.VIDE
	default:
		return nil, usageErrorf("bad --vid-code %q: want B, D or E", code)
	}
	if b, err := hex.DecodeString(seed); err != nil || len(b) != 32 {
		return nil, usageErrorf("bad --sign-seed: want 64 hex characters (a 32-byte Ed25519 seed), got %d characters", len(seed))
	}
	s, err := memo.NewSignerHex(seed, vc)
	if err != nil {
		return nil, badInput(fmt.Errorf("bad --sign-seed: %w", err))
	}
	return s, nil
}

type memoArg struct {
	name string // for messages: "argument 2", "file x", "stdin"
	data []byte
}

// readMemos reads every memo before anything is bound: an unreadable file
// is bad input, and must not leave a half-sent sequence behind.
func readMemos(stdin io.Reader, args, files []string) ([]memoArg, error) {
	var memos []memoArg
	stdinUsed := false
	for i, a := range args {
		if a != "-" {
			memos = append(memos, memoArg{name: fmt.Sprintf("argument %d", i+1), data: []byte(a)})
			continue
		}
		if stdinUsed {
			return nil, usageErrorf("send: \"-\" (standard input) given twice")
		}
		stdinUsed = true
		b, err := io.ReadAll(stdin)
		if err != nil {
			return nil, badInput(fmt.Errorf("send: reading standard input: %w", err))
		}
		memos = append(memos, memoArg{name: "stdin", data: b})
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, badInput(fmt.Errorf("send: unreadable --file: %w", err))
		}
		memos = append(memos, memoArg{name: "file " + f, data: b})
	}
	if len(memos) == 0 {
		return nil, usageErrorf("send: nothing to send: give MEMO arguments, --file F, or - for standard input")
	}
	return memos, nil
}
