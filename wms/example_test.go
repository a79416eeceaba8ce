package wms_test

import (
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/memogram/memogram/transport"
	"github.com/memogram/memogram/wms"
)

// Two peers on temporary slots (Windows only; run by TestExamples there); alpha sends beta one datagram, which beta
// picks up with the non-blocking Receive of hio's peer contract.
func Example() {
	pid := fmt.Sprint(os.Getpid()) // slot names are global: keep them apart
	alpha, err := wms.Open(wms.Config{Name: "alpha_" + pid, Temporary: true})
	if err != nil {
		log.Fatal(err)
	}
	defer alpha.Close()
	beta, err := wms.Open(wms.Config{Name: "beta_" + pid, Temporary: true})
	if err != nil {
		log.Fatal(err)
	}
	defer beta.Close()

	if _, err := alpha.Send([]byte("hello beta"), beta.LocalAddr()); err != nil {
		log.Fatal(err)
	}
	for {
		data, src, err := beta.Receive()
		if errors.Is(err, transport.ErrWouldBlock) {
			time.Sleep(time.Millisecond) // a real loop would do other work
			continue
		}
		if err != nil {
			log.Fatal(err)
		}
		// A mailslot message has no source; the memo layer carries it.
		fmt.Printf("%s, source %v\n", data, src)
		break
	}
}
