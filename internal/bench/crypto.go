package bench

import (
	"context"
	"crypto/ed25519"
	"errors"
	"runtime"
	"time"

	"github.com/memogram/memogram/memo"
)

// Crypto is what Ed25519 costs one core for the grams of one memo, timed
// by crypto/ed25519 alone in the same run as the layers.
type Crypto struct {
	Sign, Verify time.Duration // per gram, single core
	Cores        int           // GOMAXPROCS: the cores signing and verifying share
}

// Ceiling is the most signed grams/s this machine can move when sender
// and receiver share it, as in a bench run: every gram is signed once and
// verified once, so Cores / (Sign + Verify).
func (c Crypto) Ceiling() float64 {
	per := c.Sign + c.Verify
	if per <= 0 || c.Cores <= 0 {
		return 0
	}
	return float64(c.Cores) / per.Seconds()
}

// cryptoTimer times signing and verifying the signed part of a memo's
// grams, in their proportions, on the calling goroutine only.
type cryptoTimer struct {
	priv  ed25519.PrivateKey
	pub   ed25519.PublicKey
	items []signedItem
	next  int

	signs, verifies int
	signT, verifyT  time.Duration
}

type signedItem struct{ msg, sig []byte }

func newCryptoTimer(seed []byte, grams [][]byte) (*cryptoTimer, error) {
	t := &cryptoTimer{priv: ed25519.NewKeyFromSeed(seed)}
	t.pub = t.priv.Public().(ed25519.PublicKey)
	for _, b := range grams[:min(len(grams), rawTxBatch)] {
		var g memo.Gram
		if err := memo.ParseGram(b, &g); err != nil || !g.Code.Signed() {
			return nil, errors.New("a signed memo's gram does not parse as signed")
		}
		t.items = append(t.items, signedItem{append([]byte(nil), g.Signed...), append([]byte(nil), g.Sig[:]...)})
	}
	return t, nil
}

// run signs for at least d, then verifies for at least d, going on through
// the grams where the last run stopped.
func (t *cryptoTimer) run(ctx context.Context, d time.Duration) error {
	for _, verify := range []bool{false, true} {
		n, i := 0, t.next
		start := time.Now()
		for n == 0 || time.Since(start) < d {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			it := t.items[i%len(t.items)]
			if verify {
				if !ed25519.Verify(t.pub, it.msg, it.sig) {
					return errors.New("a gram's signature does not verify")
				}
			} else {
				ed25519.Sign(t.priv, it.msg)
			}
			n++
			i++
		}
		el := time.Since(start)
		if verify {
			t.verifies, t.verifyT = t.verifies+n, t.verifyT+el
			t.next = i
		} else {
			t.signs, t.signT = t.signs+n, t.signT+el
		}
	}
	return nil
}

func (t *cryptoTimer) result() Crypto {
	return Crypto{Sign: t.signT / time.Duration(max(t.signs, 1)), Verify: t.verifyT / time.Duration(max(t.verifies, 1)),
		Cores: runtime.GOMAXPROCS(0)}
}
