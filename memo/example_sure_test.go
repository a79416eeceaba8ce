package memo_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"time"

	"github.com/memogram/memogram/memo"
)

// Sure delivery over UDP: SendSure returns once the receiver has acked the
// whole memo, or fails with ErrNotDelivered after the give-up time. The
// receiver acks on its own: Receive does it.
func ExampleMemoer_SendSure() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	open := func(cfg memo.Config) *memo.Memoer {
		conn, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			log.Fatal(err)
		}
		cfg.Render.GramSize = 1240 // udp.Peer's default; a bare UDPConn needs it said
		m, err := memo.New(conn, cfg)
		if err != nil {
			log.Fatal(err)
		}
		return m
	}
	alice := open(memo.Config{SureConfig: memo.SureConfig{GiveUp: 2 * time.Second}})
	bob := open(memo.Config{})
	defer alice.Close()

	got := make(chan int, 1)
	go func() { // bob receives (and so acks) until he is closed
		for {
			m, err := bob.Receive(ctx)
			if err != nil {
				return
			}
			got <- len(m.Data)
		}
	}()
	d, err := alice.SendSure(ctx, make([]byte, 100_000), bob.LocalAddr(), memo.SendOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("acked:", d.Err == nil)
	fmt.Printf("bob got %d bytes\n", <-got)

	bob.Close() // nobody acks any more
	_, err = alice.SendSure(ctx, []byte("into the void"), bob.LocalAddr(), memo.SendOptions{})
	fmt.Println("not delivered:", errors.Is(err, memo.ErrNotDelivered))
	// Output:
	// acked: true
	// bob got 100000 bytes
	// not delivered: true
}
