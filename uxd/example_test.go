//go:build linux || darwin

package uxd_test

import (
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/memogram/memogram/transport"
	"github.com/memogram/memogram/uxd"
)

func Example() {
	dir, err := os.MkdirTemp("", "mg")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	// An explicit path, and a temporary peer named by hio's Filer rules:
	// <tmp>/hio_uxd_<random>_test/hio/uxd/beta.uxd, removed by Close.
	alpha, err := uxd.Open(uxd.Config{Path: filepath.Join(dir, "alpha.uxd")})
	if err != nil {
		log.Fatal(err)
	}
	defer alpha.Close()
	beta, err := uxd.Open(uxd.Config{Name: "beta", Temporary: true})
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
		fmt.Printf("%s from %s\n", data, filepath.Base(src.String()))
		break
	}

	// Blocking, as a net.PacketConn.
	if _, err := beta.WriteTo([]byte("hello alpha"), alpha.LocalAddr()); err != nil {
		log.Fatal(err)
	}
	buf := make([]byte, alpha.MaxDatagramSize())
	n, src, err := alpha.ReadFrom(buf)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s from %s\n", buf[:n], filepath.Base(src.String()))
	// Output:
	// hello beta from alpha.uxd
	// hello alpha from beta.uxd
}
