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

// measureCrypto times signing and verifying the signed part of grams, in
// their proportions, on this goroutine only: at least cryptoMinTime each.
func measureCrypto(ctx context.Context, seed []byte, grams [][]byte) (Crypto, error) {
	priv := ed25519.NewKeyFromSeed(seed)
	pub := priv.Public().(ed25519.PublicKey)
	type item struct{ msg, sig []byte }
	var items []item
	for _, b := range grams[:min(len(grams), rawTxBatch)] {
		var g memo.Gram
		if err := memo.ParseGram(b, &g); err != nil || !g.Code.Signed() {
			return Crypto{}, errors.New("bench: a signed memo's gram does not parse as signed")
		}
		items = append(items, item{append([]byte(nil), g.Signed...), append([]byte(nil), g.Sig[:]...)})
	}
	timeit := func(f func(it item) bool) (time.Duration, error) {
		n := 0
		start := time.Now()
		for time.Since(start) < cryptoMinTime || n < len(items) {
			if ctx.Err() != nil {
				return 0, ctx.Err()
			}
			if !f(items[n%len(items)]) {
				return 0, errors.New("bench: a gram's signature does not verify")
			}
			n++
		}
		return time.Since(start) / time.Duration(n), nil
	}
	var c Crypto
	var err error
	if c.Sign, err = timeit(func(it item) bool { ed25519.Sign(priv, it.msg); return true }); err != nil {
		return c, err
	}
	if c.Verify, err = timeit(func(it item) bool { return ed25519.Verify(pub, it.msg, it.sig) }); err != nil {
		return c, err
	}
	c.Cores = runtime.GOMAXPROCS(0)
	return c, nil
}
