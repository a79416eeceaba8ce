package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/memogram/memogram/memo"
)

var recvCmd = &command{
	name:     "recv",
	summary:  "bind an address and print the memos that arrive",
	synopsis: "recv ADDR [--count N] [--timeout DUR] [--signed] [--trust VID=QVK]... [--json] [--stats[=json]] [--stats-every DUR]",
	about: `Binds ADDR and prints each memo received: until --count memos arrived, or
until interrupted. Text and binary ("curt") grams are both accepted.

With --announce it says "receiving on ADDR" on stderr once bound, so that a
script knows when to start sending; with udp:HOST:0 the line shows the port.

Signed memos are verified: a B vid verifies on its own, a D or E vid needs its
key given with --trust (print it with "memogram key"). Signed memos whose key
is unknown are dropped. --signed drops every unsigned memo.

With --json stdout holds exactly one JSON object per memo, one per line:
  {"memo": "<UTF-8 text>", "src": "<sender>" | null, "vid": "<vid>" | null}
where "memo_b64" (standard base64) replaces "memo" when the memo is not valid
UTF-8. src is the sender without the transport prefix, so that
--to <transport>:<src> answers it; null when the sender is unknown.

On exit (also on interrupt) recv says on stderr, in one line, what it
dropped: grams rejected and memos evicted, by reason, and on Linux UDP the
datagrams the kernel dropped because the receive buffer was full; nothing
when nothing was dropped. --stats prints that line always, and every
--stats-every while running; --stats=json prints it as one JSON object
per line: {"memos", "grams", "bytes", "rejected": {reason: n},
"evicted": {"idle", "pressure"}, "kernel_drops" (null where not counted),
"acks_sent", "duplicates"}. Sure memos are acked automatically.

If its unix socket file is removed, recv says so and exits 1: no sender
could reach it any more.

Only the user running recv may send to a uxd socket or a mailslot it
binds (socket mode 0600; an owner-only DACL); --umask widens that, e.g.
--umask 007 lets the group send too.`,
	examples: `  memogram recv uxd:/tmp/bob.sock
  memogram recv udp:127.0.0.1:7000 --count 1 --timeout 10s --json
  memogram recv wms:bob --signed --trust DKxy...=BKxy...`,
}

func init() { recvCmd.run = runRecv }

func runRecv(ctx context.Context, e *env, args []string) error {
	c := recvCmd
	fs := newFlags(c)
	count := fs.IntP("count", "n", 0, "exit 0 after `N` memos (default: run until interrupted)")
	timeout := fs.Duration("timeout", 0, "exit 3 when `DUR` (e.g. 30s) has passed in all before --count memos arrived")
	signed := fs.Bool("signed", false, "accept only signed memos")
	trust := fs.StringArray("trust", nil, "trust the verification key `VID=QVK` of a D or E vid (repeatable)")
	asJSON := fs.Bool("json", false, "print one JSON object per memo and nothing else on stdout")
	maxSize := fs.Int("max-size", memo.DefaultMaxMemoSize, "largest memo to accept, in `BYTES`")
	hold := fs.Int("hold", memo.DefaultMaxPendingBytes, "memory held for memos in progress, in `BYTES`, at least --max-size; the least recently active is evicted beyond it")
	maxPending := fs.Int("max-pending", memo.DefaultMaxPending, "memos in progress at once (`N`)")
	idle := fs.Duration("idle", memo.DefaultIdleTimeout, "evict a memo in progress that received nothing for `DUR`")
	announce := fs.Bool("announce", isTerminal(e.stderr), `say "receiving on ADDR" on stderr once bound (default: when stderr is a terminal)`)
	umask := fs.String("umask", "", "widen who may send to ADDR (uxd, wms): `OCTAL` as a unix umask, e.g. 007 for the group (default: owner only)")
	stats := fs.String("stats", "", "report counters on stderr: on exit and every --stats-every; `FORMAT` text or json")
	fs.Lookup("stats").NoOptDefVal = "text"
	statsEvery := fs.Duration("stats-every", 10*time.Second, "with --stats, report every `DUR` (0: only on exit)")
	if help, err := c.parse(e, fs, args); help || err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErrorf("recv: want one address (%s), got %d arguments", addrForms, fs.NArg())
	}
	if *count < 0 {
		return usageErrorf("recv: --count %d is negative", *count)
	}
	if *timeout < 0 {
		return usageErrorf("recv: --timeout %v is negative", *timeout)
	}
	if *maxSize <= 0 {
		return usageErrorf("recv: --max-size must be positive")
	}
	if !fs.Changed("hold") { // a large --max-size alone still completes
		*hold = max(*maxSize, memo.DefaultMaxPendingBytes)
	}
	if *hold < *maxSize {
		return usageErrorf("recv: --hold %d is below --max-size %d: a memo that large could never complete; lower --max-size too", *hold, *maxSize)
	}
	if *stats != "" && *stats != "text" && *stats != "json" {
		return usageErrorf("recv: --stats %q: want text or json", *stats)
	}
	if *statsEvery < 0 {
		return usageErrorf("recv: --stats-every %v is negative", *statsEvery)
	}
	if *maxPending <= 0 || *idle <= 0 {
		return usageErrorf("recv: --max-pending and --idle must be positive")
	}
	keep, err := parseTrust(*trust)
	if err != nil {
		return err
	}
	ep, err := parseEndpoint(fs.Arg(0))
	if err != nil {
		return err
	}
	var um *uint32
	if *umask != "" {
		v, err := strconv.ParseUint(*umask, 8, 32)
		if err != nil || v > 0o777 {
			return usageErrorf("recv: --umask %q: want an octal umask such as 007", *umask)
		}
		u := uint32(v)
		um = &u
	}
	conn, err := ep.openWith(0, um)
	if err != nil {
		return transportError("recv", ep, err)
	}
	m, err := memo.New(conn, memo.Config{Receive: memo.ReceiveConfig{
		Authic: *signed, Keep: keep, MaxMemoSize: *maxSize,
		MaxPendingBytes: *hold, MaxPending: *maxPending, IdleTimeout: *idle,
	}})
	if err != nil {
		conn.Close()
		return fmt.Errorf("recv: %w", err)
	}
	// Closing removes a unix socket's file, also on interrupt.
	defer m.Close()
	ep = boundEndpoint(ep, conn)
	if *announce {
		fmt.Fprintf(e.stderr, "receiving on %s\n", ep)
	}
	rs := recvStats{m: m, conn: conn, w: e.stderr, asJSON: *stats == "json"}
	done := make(chan struct{})
	defer func() { // before Close: the kernel's count needs the socket
		close(done)
		if r := rs.report(); *stats != "" || r.losses() {
			rs.write(r)
		}
	}()
	if *stats != "" && *statsEvery > 0 {
		go rs.periodic(*statsEvery, done)
	}

	rctx, stop := context.WithCancel(ctx)
	defer stop()
	gone := make(chan error, 1)
	if ep.kind == "uxd" {
		go watchSocketFile(ep.rest, time.Second, done, func(err error) { gone <- err; stop() })
	}
	if *timeout > 0 {
		var cancel context.CancelFunc
		rctx, cancel = context.WithTimeout(rctx, *timeout)
		defer cancel()
	}
	for n := 0; *count == 0 || n < *count; n++ {
		mm, err := m.Receive(rctx)
		switch {
		case err == nil:
		case ctx.Err() != nil:
			return errInterrupted
		case len(gone) > 0:
			return <-gone
		case rctx.Err() != nil || errors.Is(err, context.DeadlineExceeded):
			return timeoutError("recv: timed out after %v (%s received)", *timeout, countText(n, *count))
		default:
			return fmt.Errorf("recv: %w", err)
		}
		if *asJSON {
			err = writeJSON(e.stdout, mm)
		} else {
			err = writeText(e.stdout, ep.kind, mm)
		}
		if err != nil {
			return fmt.Errorf("recv: writing output: %w", err)
		}
	}
	return nil
}

func countText(n, of int) string {
	if of == 0 {
		return plural(uint64(n), "memo")
	}
	return fmt.Sprintf("%d of %s", n, plural(uint64(of), "memo"))
}

// parseTrust builds the keep from --trust VID=QVK entries; the keep refuses
// a key that the vid does not name.
func parseTrust(entries []string) (*memo.Keep, error) {
	keep := memo.NewKeep()
	for _, t := range entries {
		vid, qvk, ok := strings.Cut(t, "=")
		if !ok || vid == "" || qvk == "" {
			return nil, usageErrorf("bad --trust entry %q: want VID=QVK", t)
		}
		if err := keep.Add(vid, qvk); err != nil {
			return nil, badInput(fmt.Errorf("bad --trust entry %q: %w", t, err))
		}
	}
	return keep, nil
}

// jsonMemo is the --json contract. Pointers: src and vid print as null
// when absent, and exactly one of memo and memo_b64 appears.
type jsonMemo struct {
	Memo *string `json:"memo,omitempty"`
	B64  *string `json:"memo_b64,omitempty"`
	Src  *string `json:"src"`
	VID  *string `json:"vid"`
}

func writeJSON(w io.Writer, m memo.Memo) error {
	var j jsonMemo
	if utf8.Valid(m.Data) {
		s := string(m.Data)
		j.Memo = &s
	} else {
		s := base64.StdEncoding.EncodeToString(m.Data)
		j.B64 = &s
	}
	if s, ok := srcString(m.Src); ok {
		j.Src = &s
	}
	if m.VID != "" {
		j.VID = &m.VID
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(j)
}

// textPreview bounds what a readable line shows of a memo: a megabyte of
// text on one terminal line helps nobody.
const textPreview = 200

func writeText(w io.Writer, kind string, m memo.Memo) error {
	_, err := fmt.Fprintln(w, describe(kind, m))
	return err
}

// describe is the readable one-line form of a memo: sender (with its
// transport prefix, ready for --to), signer, size and content.
func describe(kind string, m memo.Memo) string {
	from := "unknown sender"
	if s, ok := srcString(m.Src); ok {
		from = kind + ":" + s
	}
	// A memo reaches us with a vid only when every gram verified under it.
	signer := "unsigned"
	if m.VID != "" {
		signer = "verified vid " + m.VID
	}
	return fmt.Sprintf("from %s, %s, %d bytes: %s", from, signer, len(m.Data), preview(m.Data))
}

func preview(b []byte) string {
	if !utf8.Valid(b) {
		sum := sha256.Sum256(b)
		return fmt.Sprintf("binary, sha256 %x", sum[:8])
	}
	s := string(b)
	if n := utf8.RuneCountInString(s); n > textPreview {
		r := []rune(s)[:textPreview]
		return strconv.Quote(string(r)) + fmt.Sprintf("... (%d more characters)", n-textPreview)
	}
	return strconv.Quote(s)
}
