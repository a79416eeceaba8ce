package udp_test

import (
	"context"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/memogram/memogram/memo"
	"github.com/memogram/memogram/udp"
)

// A udp Peer under a Memoer, as hio's UDP PeerMemoer: the Memoer cuts memos
// into grams of the peer's MaxDatagramSize, hio's 1240 bytes by default.
// UDP may lose grams; a memo missing one never arrives, so applications
// that need every memo acknowledge them or use uxd.
func Example_memo() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	open := func() *memo.Memoer {
		peer, err := udp.Open(udp.Config{Addr: "127.0.0.1:0"})
		if err != nil {
			log.Fatal(err)
		}
		m, err := memo.New(peer, memo.Config{}) // the Memoer closes the peer
		if err != nil {
			log.Fatal(err)
		}
		return m
	}
	alice, bob := open(), open()
	defer alice.Close()
	defer bob.Close()

	text := []byte(strings.Repeat("héllo wörld ", 400))
	if err := alice.Send(ctx, text, bob.LocalAddr()); err != nil {
		log.Fatal(err)
	}
	got, err := bob.Receive(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d bytes in %d grams of up to %d bytes, from alice: %v\n", len(got.Data),
		alice.Renderer().GramCount(len(text)), alice.Renderer().GramSize(), got.Src.String() == alice.LocalAddr().String())
	// Output:
	// 5600 bytes in 5 grams of up to 1240 bytes, from alice: true
}
