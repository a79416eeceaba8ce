package e2e

import (
	"bytes"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/memogram/memogram/memo"
	"github.com/memogram/memogram/uxd"
)

// uxdPair binds a sender and a receiver in one private directory, each under
// its own Memoer.
func uxdPair(t *testing.T, tx, rx memo.Config) (a, b *memo.Memoer, ap, bp *uxd.Peer) {
	t.Helper()
	dir := uxdDir(t)
	ap = openUXD(t, uxd.Config{Path: filepath.Join(dir, "a.uxd")})
	bp = openUXD(t, uxd.Config{Path: filepath.Join(dir, "b.uxd")})
	return newMemoer(t, ap, tx), newMemoer(t, bp, rx), ap, bp
}

// Every size from the empty memo to 16 MiB, in both head forms, unsigned and
// signed under each vid code, arrives byte-exact with the sender's path and
// vid. The receiver runs on its own goroutine while the sender blocks on a
// kernel queue of a few datagrams, which is how applications use it.
func TestUXDMemoSizes(t *testing.T) {
	sB, sD, sE := signer(t, seedB, memo.VIDB), signer(t, seedD, memo.VIDD), signer(t, seedE, memo.VIDE)
	sizes := []int{0, 1, 1 << 10, 65 << 10, 1 << 20, 16 << 20}
	for _, c := range []struct {
		name   string
		form   memo.Form
		signer *memo.Signer
		rx     memo.ReceiveConfig
	}{
		{"text/unsigned", memo.Text, nil, memo.ReceiveConfig{}},
		{"binary/unsigned", memo.Binary, nil, memo.ReceiveConfig{}},
		{"text/signed-B/authic", memo.Text, sB, memo.ReceiveConfig{Authic: true}},
		{"binary/signed-B/authic", memo.Binary, sB, memo.ReceiveConfig{Authic: true}},
		{"text/signed-D/authic-keep", memo.Text, sD, memo.ReceiveConfig{Authic: true, Keep: keepOf(t, sD)}},
		{"binary/signed-E/authic-keep", memo.Binary, sE, memo.ReceiveConfig{Authic: true, Keep: keepOf(t, sE)}},
		// A receiver that is not authic still verifies and reports the vid.
		{"text/signed-B/non-authic", memo.Text, sB, memo.ReceiveConfig{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, b, ap, _ := uxdPair(t,
				memo.Config{Render: memo.RenderConfig{Form: c.form, Signer: c.signer}},
				memo.Config{Receive: c.rx})
			in := receiving(t, b)
			ctx := ctxFor(t)
			vid := ""
			if c.signer != nil {
				vid = c.signer.VID()
			}
			grams := 0
			for i, n := range sizes {
				// Text and binary payloads alternate: memogram carries any bytes.
				for j, data := range [][]byte{textPayload(uint64(i), n), binaryPayload(uint64(i), n)} {
					if n == 0 && j == 1 {
						continue
					}
					if err := a.Send(ctx, data, b.LocalAddr()); err != nil {
						t.Fatalf("%s: %v", sizeName(n), err)
					}
					grams += a.Renderer().GramCount(len(data))
					checkMemo(t, in.next(t), data, ap.LocalAddr(), vid)
				}
			}
			in.quiet(t)
			checkNoRejects(t, b)
			if s := a.Stats(); s.GramsSent != uint64(grams) || s.WouldBlocks != 0 || s.SendErrors != 0 {
				t.Fatalf("sender stats %+v, want %d grams", s, grams)
			}
		})
	}
}

// Eight senders stream into one receiver at once, in both forms, some
// signed. Grams of different senders interleave in the receiver's queue, so
// reassembly must keep them apart by source: every memo arrives exactly
// once, whole, from its own sender.
func TestUXDManySenders(t *testing.T) {
	const senders, perSender = 8, 100
	sizes := []int{0, 1, 100, 3000, 65535, 70000, 200000} // 70000 and 200000 are multi-gram
	dir := uxdDir(t)
	// Signed senders use distinct keys, interleaving their memos at the
	// receiver (this found a key mix-up in the reassembler).
	sB, sD := signer(t, seedB, memo.VIDB), signer(t, seedD, memo.VIDD)
	rp := openUXD(t, uxd.Config{Path: filepath.Join(dir, "rx.uxd")})
	rx := newMemoer(t, rp, memo.Config{Receive: memo.ReceiveConfig{Keep: keepOf(t, sD)}})
	in := receiving(t, rx)
	ctx := ctxFor(t)

	type sender struct {
		m    *memo.Memoer
		path string
		vid  string
	}
	ss := make([]sender, senders)
	for i := range ss {
		rc := memo.RenderConfig{Form: memo.Form(i % 2)}
		switch i % 4 {
		case 2:
			rc.Signer = sB
		case 3:
			rc.Signer = sD
		}
		p := openUXD(t, uxd.Config{Path: filepath.Join(dir, fmt.Sprintf("tx%d.uxd", i))})
		ss[i] = sender{m: newMemoer(t, p, memo.Config{Render: rc}), path: p.LocalAddr().String()}
		if rc.Signer != nil {
			ss[i].vid = rc.Signer.VID()
		}
	}
	payload := func(s, seq int) []byte {
		data := binaryPayload(uint64(s*1000+seq), sizes[(s+seq)%len(sizes)])
		return append([]byte(fmt.Sprintf("%d/%d|", s, seq)), data...)
	}

	errs := make(chan error, senders)
	var wg sync.WaitGroup
	for i, s := range ss {
		wg.Go(func() {
			for seq := range perSender {
				if err := s.m.Send(ctx, payload(i, seq), rp.LocalAddr()); err != nil {
					errs <- fmt.Errorf("sender %d memo %d: %w", i, seq, err)
					return
				}
			}
		})
	}
	seen := map[string]bool{}
	for range senders * perSender {
		m := in.next(t)
		var s, seq int
		if _, err := fmt.Sscanf(string(m.Data), "%d/%d|", &s, &seq); err != nil || s < 0 || s >= senders {
			t.Fatalf("memo of %d bytes with no tag: %.40q", len(m.Data), m.Data)
		}
		tag := fmt.Sprintf("%d/%d", s, seq)
		if seen[tag] {
			t.Fatalf("memo %s arrived twice", tag)
		}
		seen[tag] = true
		if !bytes.Equal(m.Data, payload(s, seq)) {
			t.Fatalf("memo %s differs", tag)
		}
		if m.Src == nil || m.Src.String() != ss[s].path || m.VID != ss[s].vid {
			t.Fatalf("memo %s from %v vid %q, want %s vid %q", tag, m.Src, m.VID, ss[s].path, ss[s].vid)
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	in.quiet(t)
	checkNoRejects(t, rx)
}
