package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/memogram/memogram/memo"
)

var demoCmd = &command{
	name:     "demo",
	summary:  "two peers in this process exchange four memos; no set-up needed",
	synopsis: "demo [--transport uxd|udp|wms]",
	about: `Starts two peers, alice and bob, on the platform's own transport (mailslots on
Windows, unix datagram sockets elsewhere, in a private temporary directory).
alice sends bob a short text memo, a unicode memo and a 1 MiB binary memo;
bob answers with a memo signed by a fresh Ed25519 key, addressed to the
sender the last memo reported. Each memo is printed as received: who sent it,
the verified vid, and its content. Everything is removed before exit.`,
	examples: `  memogram demo
  go run ./cmd/memogram demo --transport udp`,
}

func init() { demoCmd.run = runDemo }

// demoTimeout bounds the whole demo: it moves about a megabyte locally, so
// reaching it means something is broken, and a hang would say less.
const demoTimeout = time.Minute

func runDemo(ctx context.Context, e *env, args []string) error {
	c := demoCmd
	fs := newFlags(c)
	kind := fs.String("transport", defaultTransport(), "transport `NAME`: uxd, udp or wms")
	if help, err := c.parse(e, fs, args); help || err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageErrorf("demo: unexpected argument %q", fs.Arg(0))
	}
	if !validTransport(*kind) {
		return usageErrorf("demo: unknown transport %q: want uxd, udp or wms", *kind)
	}
	s, err := newScratch(*kind)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer s.cleanup()

	seed := make([]byte, 32)
	rand.Read(seed)
	signer, err := memo.NewSigner(seed, memo.VIDB)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	alice, aliceEp, err := demoPeer(s.endpoint("alice", nil), memo.Config{})
	if err != nil {
		return err
	}
	defer alice.Close()
	bob, bobEp, err := demoPeer(s.endpoint("bob", nil), memo.Config{Render: memo.RenderConfig{Signer: signer}})
	if err != nil {
		return err
	}
	defer bob.Close()

	fmt.Fprintf(e.stdout, "memogram demo over %s\n  alice  %s\n  bob    %s, signs as vid %s\n\n",
		transportTitle(*kind), aliceEp, bobEp, signer.VID())

	dctx, cancel := context.WithTimeout(ctx, demoTimeout)
	defer cancel()
	err = demoExchange(dctx, e, *kind, alice, bob, bobEp.addr(), signer.VID())
	if ctx.Err() != nil {
		return errInterrupted
	}
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	// Close now, not in the deferred calls, so that the last line is true.
	alice.Close()
	bob.Close()
	s.cleanup()
	fmt.Fprintf(e.stdout, "\ndemo done: 4 memos delivered intact; both peers closed, nothing left behind\n")
	return nil
}

func demoPeer(ep endpoint, cfg memo.Config) (*memo.Memoer, endpoint, error) {
	conn, err := ep.open(0)
	if err != nil {
		return nil, ep, fmt.Errorf("demo: %w", err)
	}
	m, err := memo.New(conn, cfg)
	if err != nil {
		conn.Close()
		return nil, ep, fmt.Errorf("demo: %w", err)
	}
	return m, boundEndpoint(ep, conn), nil
}

func demoExchange(ctx context.Context, e *env, kind string, alice, bob *memo.Memoer, bobAddr net.Addr, vid string) error {
	big := make([]byte, 1<<20)
	rand.Read(big)
	memos := []struct {
		what string
		data []byte
	}{
		{"a short text memo", []byte("Hello, bob!")},
		{"a unicode memo", []byte("Grüße aus Köln, 你好, привет 🌍")},
		{"a 1 MiB binary memo", big},
	}

	// bob reads while alice sends: a megabyte does not fit in a socket's
	// queue (or, under Wine, in a mailslot's), so the sender waits on him.
	type got struct {
		m   memo.Memo
		err error
	}
	inbox := make(chan got, len(memos))
	go func() {
		for range memos {
			m, err := bob.Receive(ctx)
			inbox <- got{m, err}
			if err != nil {
				return
			}
		}
	}()
	for _, m := range memos {
		before := alice.Stats().GramsSent
		if err := alice.Send(ctx, m.data, bobAddr); err != nil {
			return fmt.Errorf("alice sending %s: %w", m.what, err)
		}
		fmt.Fprintf(e.stdout, "alice sent %s (%d bytes, %s)\n", m.what, len(m.data), plural(alice.Stats().GramsSent-before, "gram"))
	}
	var last memo.Memo
	for _, want := range memos {
		g := <-inbox
		if g.err != nil {
			return fmt.Errorf("bob receiving: %w", g.err)
		}
		if !bytes.Equal(g.m.Data, want.data) {
			return fmt.Errorf("bob received %d bytes that are not %s", len(g.m.Data), want.what)
		}
		fmt.Fprintf(e.stdout, "bob   got  %s\n", describe(kind, g.m))
		last = g.m
	}
	if last.Src == nil {
		return errors.New("bob cannot answer: the transport reported no sender")
	}

	reply := []byte(fmt.Sprintf("Thanks alice, got all %d memos. -- bob", len(memos)))
	if err := bob.Send(ctx, reply, last.Src); err != nil {
		return fmt.Errorf("bob answering %v: %w", last.Src, err)
	}
	to, _ := srcString(last.Src)
	fmt.Fprintf(e.stdout, "bob   sent a signed answer to %s:%s, the sender of the last memo\n", kind, to)
	m, err := alice.Receive(ctx)
	if err != nil {
		return fmt.Errorf("alice receiving: %w", err)
	}
	if !bytes.Equal(m.Data, reply) || m.VID != vid {
		return fmt.Errorf("alice received %q with vid %q, not bob's signed answer", m.Data, m.VID)
	}
	fmt.Fprintf(e.stdout, "alice got  %s\n", describe(kind, m))
	return nil
}

func transportTitle(kind string) string {
	switch kind {
	case tUXD:
		return "unix datagram sockets (uxd)"
	case tUDP:
		return "UDP on the loopback interface"
	case tWMS:
		return "Windows mailslots (wms)"
	}
	return kind
}

func plural(n uint64, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
