package memo_test

import (
	"context"
	"fmt"
	"log"
	"net"
	"time"

	"github.com/memogram/memogram/memo"
)

// Two Memoers over UDP loopback: the sender signs, the receiver accepts only
// signed memos and learns who signed and from where. Any net.PacketConn
// works; memogram's own transports (uxd, udp, wms) add hio's addressing and
// sizes.
func ExampleMemoer() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	signer, err := memo.NewSignerHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", memo.VIDB)
	if err != nil {
		log.Fatal(err)
	}
	open := func(cfg memo.Config) *memo.Memoer {
		conn, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			log.Fatal(err)
		}
		m, err := memo.New(conn, cfg)
		if err != nil {
			log.Fatal(err)
		}
		return m
	}
	// 1240 bytes is hio's UDP gram size, safe on any IPv6 path.
	alice := open(memo.Config{Render: memo.RenderConfig{GramSize: 1240, Signer: signer}})
	defer alice.Close()
	bob := open(memo.Config{Receive: memo.ReceiveConfig{Authic: true}})
	defer bob.Close()

	memoText := []byte("Hello there. This memo takes three grams of 1240 bytes: ")
	memoText = append(memoText, make([]byte, 3000)...)
	if err := alice.Send(ctx, memoText, bob.LocalAddr()); err != nil {
		log.Fatal(err)
	}
	got, err := bob.Receive(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%.12s… (%d bytes, %d grams)\n", got.Data, len(got.Data), alice.Renderer().GramCount(len(memoText)))
	fmt.Println("from alice:", got.Src.String() == alice.LocalAddr().String())
	fmt.Println("signed by:", got.VID)
	// Output:
	// Hello there.… (3056 bytes, 3 grams)
	// from alice: true
	// signed by: BAOhB7_zzhC-HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4
}

// A Renderer cuts a memo into grams. With a fixed mid the grams are
// reproducible, which is how memogram's tests compare them with hio's: here
// the zeroth gram carries the count (AAAC: 2) and the later one its number
// (AAAB: 1).
func ExampleRenderer() {
	mids, err := memo.FixedMID("00112233445566778899aabbccddeeff")
	if err != nil {
		log.Fatal(err)
	}
	r, err := memo.NewRenderer(memo.RenderConfig{GramSize: 40, MIDs: mids})
	if err != nil {
		log.Fatal(err)
	}
	grams, err := r.Render([]byte("Hello there."))
	if err != nil {
		log.Fatal(err)
	}
	for _, g := range grams {
		fmt.Printf("%s\n", g)
	}
	// Output:
	// bAAAAAAC0AAAESIzRFVmd4iZqrvM3e7_Hello th
	// bAABAAAB0AAAESIzRFVmd4iZqrvM3e7_ere.
}

// hio's non-blocking style, for an event loop: Memoit queues a memo, each
// Service call moves what it can without blocking, and PopMemo takes what
// has arrived. Nothing queued is lost when the transport would block.
func ExampleMemoer_Service() {
	open := func() *memo.Memoer {
		conn, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			log.Fatal(err)
		}
		m, err := memo.New(conn, memo.Config{Render: memo.RenderConfig{GramSize: 1240}})
		if err != nil {
			log.Fatal(err)
		}
		return m
	}
	alice, bob := open(), open()
	defer alice.Close()
	defer bob.Close()

	for _, s := range []string{"first", "second"} {
		if err := alice.Memoit([]byte(s), bob.LocalAddr()); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println("queued grams:", alice.QueuedGrams())
	for received, deadline := 0, time.Now().Add(time.Minute); received < 2; {
		if time.Now().After(deadline) {
			log.Fatal("nothing arrived")
		}
		for _, m := range []*memo.Memoer{alice, bob} {
			if err := m.Service(); err != nil {
				log.Fatal(err)
			}
		}
		for m, ok := bob.PopMemo(); ok; m, ok = bob.PopMemo() {
			fmt.Printf("bob got %q\n", m.Data)
			received++
		}
		time.Sleep(time.Millisecond) // a real loop would do other work
	}
	fmt.Println("queued grams:", alice.QueuedGrams())
	// Output:
	// queued grams: 2
	// bob got "first"
	// bob got "second"
	// queued grams: 0
}

// hio's memoit(memo, dst, vid) picks the signer memo by memo; SendWith (and
// MemoitWith) do the same. The Memoer here signs nothing by default.
func ExampleMemoer_SendWith() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	alice, err := memo.NewSignerHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", memo.VIDB)
	if err != nil {
		log.Fatal(err)
	}
	open := func() *memo.Memoer {
		conn, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			log.Fatal(err)
		}
		m, err := memo.New(conn, memo.Config{Render: memo.RenderConfig{GramSize: 1240}})
		if err != nil {
			log.Fatal(err)
		}
		return m
	}
	sender, bob := open(), open()
	defer sender.Close()
	defer bob.Close()

	if err := sender.Send(ctx, []byte("anonymous"), bob.LocalAddr()); err != nil {
		log.Fatal(err)
	}
	if err := sender.SendWith(ctx, []byte("from alice"), bob.LocalAddr(), memo.SendOptions{Signer: alice}); err != nil {
		log.Fatal(err)
	}
	for range 2 {
		got, err := bob.Receive(ctx)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%q signed by %q\n", got.Data, got.VID)
	}
	// Output:
	// "anonymous" signed by ""
	// "from alice" signed by "BAOhB7_zzhC-HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4"
}
