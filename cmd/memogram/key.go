package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"github.com/memogram/memogram/memo"
)

var keyCmd = &command{
	name:     "key",
	summary:  "make or show a signing key: seed, vid and the --trust entry",
	synopsis: "key [--seed HEX] [--vid-code B|D|E]",
	about: `Prints a signing key's seed (for send --sign-seed), its vid and its
verification key (qvk), and the VID=QVK entry that recv --trust takes for
D and E vids. Without --seed a new random seed is made.

Keep the seed secret: it is the private key.`,
	examples: `  memogram key
  memogram key --vid-code D --seed 9f3e...c2`,
}

func init() { keyCmd.run = runKey }

func runKey(ctx context.Context, e *env, args []string) error {
	c := keyCmd
	fs := newFlags(c)
	seed := fs.String("seed", "", "the Ed25519 seed `HEX` (64 hex characters; default: a new random one)")
	vidCode := fs.String("vid-code", "B", "vid form `B|D|E`")
	if help, err := c.parse(e, fs, args); help || err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageErrorf("key: unexpected argument %q", fs.Arg(0))
	}
	if *seed == "" {
		b := make([]byte, 32)
		rand.Read(b) // never fails: crypto/rand panics rather than return an error
		*seed = hex.EncodeToString(b)
	}
	s, err := parseSigner(*seed, *vidCode)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "seed  %s\nvid   %s\nqvk   %s\n", *seed, s.VID(), s.QVK())
	if s.VID()[0] == byte(memo.VIDB) {
		fmt.Fprintf(e.stdout, "trust not needed: a B vid is its own key\n")
	} else {
		fmt.Fprintf(e.stdout, "trust %s=%s\n", s.VID(), s.QVK())
	}
	return nil
}
