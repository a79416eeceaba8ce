// Package hostiletest is the hostile-input suite every memogram transport's
// tests run over a real socket: garbage and malformed datagrams sent raw to
// a receiving Memoer. After each case the receive loop must still be alive
// (a valid memo sent next arrives intact), the rejection must be counted in
// Memoer.Stats under the reason the case names, and nothing validly sent
// may be lost or altered. Only tests import it.
package hostiletest

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"testing"
	"time"

	"github.com/memogram/memogram/memo"
)

// Env is one transport's setup for the suite.
type Env struct {
	// Rx is the receiving Memoer under attack, with default limits.
	Rx *memo.Memoer
	// RxAddr is Rx's address as senders write to it.
	RxAddr net.Addr
	// Raw writes one datagram, as is, to RxAddr from another endpoint.
	Raw func(b []byte) error
	// Tx is a well-behaved Memoer that sends the valid memo after each case.
	Tx *memo.Memoer
	// MaxDatagram is the largest datagram Raw can send.
	MaxDatagram int
}

// patience bounds every wait: a hang detector, not a performance threshold.
const patience = 2 * time.Minute

// A case sends hostile datagrams and names the counter that must rise by
// want, and the memos that must arrive (in order) before the valid one.
type tc struct {
	name    string
	grams   func(t *testing.T, e *Env) [][]byte
	counter func(s memo.ReceiveStats) uint64
	want    uint64
	deliver [][]byte
}

func malformed(s memo.ReceiveStats) uint64    { return s.Rejected.Malformed }
func gramNumber(s memo.ReceiveStats) uint64   { return s.Rejected.GramNumber }
func duplicate(s memo.ReceiveStats) uint64    { return s.Rejected.Duplicate }
func badSignature(s memo.ReceiveStats) uint64 { return s.Rejected.BadSignature }

// rejected sums every rejection reason.
func rejected(s memo.ReceiveStats) uint64 {
	r := s.Rejected
	return r.Malformed + r.Ack + r.NotSigned + r.BadSignature + r.UnknownSigner +
		r.Duplicate + r.GramNumber + r.Late + r.TooLarge + r.Candidates
}

// Gram fields of text heads (docs/protocol.md §5.2, §5.4).
const (
	neckAt, neckLen = 4, 4
	midAt, midLen   = 8, 24
	textSigLen      = 88
)

const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// withNeck returns a copy of a text gram with its neck set to n.
func withNeck(g []byte, n uint32) []byte {
	g = bytes.Clone(g)
	for i := neckLen - 1; i >= 0; i-- {
		g[neckAt+i] = b64[n&63]
		n >>= 6
	}
	return g
}

// render cuts data into text grams of gramSize bytes.
func render(t *testing.T, gramSize int, s *memo.Signer, data []byte) [][]byte {
	t.Helper()
	r, err := memo.NewRenderer(memo.RenderConfig{GramSize: gramSize, Signer: s})
	if err != nil {
		t.Fatal(err)
	}
	grams, err := r.Render(data)
	if err != nil {
		t.Fatal(err)
	}
	return grams
}

func garbage(seed uint64, n int, first byte) []byte {
	r := rand.New(rand.NewPCG(seed, 13))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	if n > 0 {
		b[0] = first
	}
	return b
}

// two is a memo of two 100-byte text grams.
var two = bytes.Repeat([]byte("two grams "), 10)

func cases() []tc {
	return []tc{
		{name: "zero-length", counter: malformed, want: 1,
			grams: func(t *testing.T, e *Env) [][]byte { return [][]byte{{}} }},
		{name: "max-size-garbage", counter: malformed, want: 1,
			grams: func(t *testing.T, e *Env) [][]byte { return [][]byte{garbage(1, e.MaxDatagram, 0)} }},
		{name: "max-size-garbage-after-a-code", counter: malformed, want: 1,
			grams: func(t *testing.T, e *Env) [][]byte {
				g := garbage(2, e.MaxDatagram, 'b')
				copy(g, "bAAA\xff") // a known code, then a neck that is not base64
				return [][]byte{g}
			}},
		{name: "truncated-heads", counter: malformed, want: 3,
			grams: func(t *testing.T, e *Env) [][]byte {
				g := render(t, 0, nil, []byte("cut short"))[0]
				return [][]byte{g[:3], g[:neckAt+neckLen], g[:midAt+midLen-1]}
			}},
		{name: "unknown-codes", counter: malformed, want: 3,
			grams: func(t *testing.T, e *Env) [][]byte {
				g := render(t, 0, nil, []byte("unknown"))[0]
				var out [][]byte
				for _, code := range []string{"bAAZ", "bAA_", "zAAA"} {
					u := bytes.Clone(g)
					copy(u, code)
					out = append(out, u)
				}
				return out
			}},
		{name: "gram-number-at-or-above-count", counter: gramNumber, want: 2,
			grams: func(t *testing.T, e *Env) [][]byte {
				g := render(t, 100, nil, two)
				if len(g) != 2 {
					t.Fatalf("%d grams, want 2", len(g))
				}
				return [][]byte{g[0], withNeck(g[1], 2), withNeck(g[1], 1<<24-1)}
			}},
		{name: "duplicate-zeroth-other-count", counter: duplicate, want: 1,
			// The first zeroth gram wins with its count; the real later
			// gram completes the memo, which arrives intact.
			deliver: [][]byte{two},
			grams: func(t *testing.T, e *Env) [][]byte {
				g := render(t, 100, nil, two)
				return [][]byte{g[0], withNeck(g[0], 7), g[1]}
			}},
		{name: "non-utf8-text-fields", counter: malformed, want: 2,
			grams: func(t *testing.T, e *Env) [][]byte {
				g := render(t, 0, nil, []byte("bad text"))[0]
				mid, neck := bytes.Clone(g), bytes.Clone(g)
				copy(mid[midAt+2:], "\xff\xfe")
				copy(neck[neckAt:], "\xc3\x28")
				return [][]byte{mid, neck}
			}},
		{name: "wrong-signatures", counter: badSignature, want: 2,
			grams: func(t *testing.T, e *Env) [][]byte {
				s, err := memo.NewSignerHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", memo.VIDB)
				if err != nil {
					t.Fatal(err)
				}
				zeroth := render(t, 0, s, []byte("forged"))[0]
				flipped := bytes.Clone(zeroth)
				// Another base64 character (a flipped bit can leave the
				// alphabet, '-' to ',', and make the gram malformed instead).
				at := len(flipped) - textSigLen + 10
				if flipped[at] == 'A' {
					flipped[at] = 'B'
				} else {
					flipped[at] = 'A'
				}
				body := bytes.Clone(zeroth)
				body[len(body)-textSigLen-1] ^= 1 // the signed bytes changed
				return [][]byte{flipped, body}
			}},
	}
}

// Run sends each case, then a valid memo, and checks what arrived and what
// was counted.
func Run(t *testing.T, e *Env) {
	for _, c := range cases() {
		t.Run(c.name, func(t *testing.T) {
			grams := c.grams(t, e)
			before := e.Rx.Stats().Receive
			for _, g := range grams {
				if err := e.Raw(g); err != nil {
					t.Fatalf("raw send of %d bytes: %v", len(g), err)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), patience)
			defer cancel()
			valid := fmt.Appendf(nil, "valid memo after %s", c.name)
			if err := e.Tx.Send(ctx, valid, e.RxAddr); err != nil {
				t.Fatal(err)
			}
			for _, want := range append(c.deliver, valid) {
				m, err := e.Rx.Receive(ctx)
				if err != nil {
					t.Fatalf("receive loop dead after %s: %v", c.name, err)
				}
				if !bytes.Equal(m.Data, want) {
					t.Fatalf("got %q, want %q", m.Data, want)
				}
			}
			after := e.Rx.Stats().Receive
			if got := c.counter(after) - c.counter(before); got != c.want {
				t.Errorf("counter rose by %d, want %d (stats before %+v, after %+v)", got, c.want, before.Rejected, after.Rejected)
			}
			// Nothing but the named reason may be counted.
			if got := rejected(after) - rejected(before); got != c.want {
				t.Errorf("rejections rose by %d in all, want %d (before %+v, after %+v)", got, c.want, before.Rejected, after.Rejected)
			}
			if got := after.Memos - before.Memos; got != uint64(len(c.deliver)+1) {
				t.Errorf("%d memos delivered, want %d", got, len(c.deliver)+1)
			}
		})
	}
}
