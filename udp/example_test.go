package udp_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/memogram/memogram/transport"
	"github.com/memogram/memogram/udp"
)

func Example() {
	// Port 0 picks a free port, which Reopen keeps.
	alpha, err := udp.Open(udp.Config{Addr: "127.0.0.1:0"})
	if err != nil {
		log.Fatal(err)
	}
	defer alpha.Close()
	beta, err := udp.Open(udp.Config{Addr: "127.0.0.1:0"})
	if err != nil {
		log.Fatal(err)
	}
	defer beta.Close()

	// Non-blocking, as hio's service loop drives it.
	if _, err := alpha.Send([]byte("hello beta"), beta.LocalAddr()); err != nil {
		log.Fatal(err)
	}
	for {
		data, src, err := beta.Receive()
		if errors.Is(err, transport.ErrWouldBlock) {
			continue // a real loop would do other work or wait
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s (from alpha: %v)\n", data, src.String() == alpha.LocalAddr().String())
		break
	}

	// Blocking, as a net.PacketConn.
	if _, err := beta.WriteTo([]byte("hello alpha"), alpha.LocalAddr()); err != nil {
		log.Fatal(err)
	}
	buf := make([]byte, udp.MaxReceiveSize)
	n, _, err := alpha.ReadFrom(buf)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s, grams of up to %d bytes\n", buf[:n], alpha.MaxDatagramSize())
	// Output:
	// hello beta (from alpha: true)
	// hello alpha, grams of up to 1240 bytes
}
