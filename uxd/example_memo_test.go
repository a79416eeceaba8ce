//go:build linux || darwin

package uxd_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/memogram/memogram/memo"
	"github.com/memogram/memogram/uxd"
)

// A uxd Peer under a Memoer, as hio's uxd PeerMemoer: memos of any size
// between two sockets bound to paths, answered at the path the memo came
// from.
func Example_memo() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir, err := os.MkdirTemp("", "mg") // socket paths have at most 107 bytes
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	open := func(name string) *memo.Memoer {
		peer, err := uxd.Open(uxd.Config{Path: filepath.Join(dir, name)})
		if err != nil {
			log.Fatal(err)
		}
		m, err := memo.New(peer, memo.Config{}) // the Memoer closes the peer
		if err != nil {
			log.Fatal(err)
		}
		return m
	}
	alice, bob := open("alice.uxd"), open("bob.uxd")
	defer alice.Close()
	defer bob.Close()

	// 200 KB is four of hio's 65535-byte grams; the kernel queues them all,
	// so Send need not wait for bob. Larger memos need bob to receive
	// concurrently.
	big := bytes.Repeat([]byte("memogram "), 200_000/9)
	if err := alice.Send(ctx, big, bob.LocalAddr()); err != nil {
		log.Fatal(err)
	}
	got, err := bob.Receive(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("bob got %d bytes in %d grams from %s\n", len(got.Data), alice.Renderer().GramCount(len(big)), filepath.Base(got.Src.String()))

	if err := bob.Send(ctx, []byte("thanks"), got.Src); err != nil {
		log.Fatal(err)
	}
	reply, err := alice.Receive(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("alice got %q from %s\n", reply.Data, filepath.Base(reply.Src.String()))
	// Output:
	// bob got 199998 bytes in 4 grams from alice.uxd
	// alice got "thanks" from bob.uxd
}
