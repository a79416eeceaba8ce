package wms_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/memogram/memogram/memo"
	"github.com/memogram/memogram/wms"
)

// Two mailslot peers under Memoers (Windows only: elsewhere wms.Open
// returns transport.ErrUnsupported, so this example is compiled everywhere
// and run by TestExamples on Windows). A mailslot message carries no sender,
// so the memo layer writes alpha's slot name into the memo (a source gram);
// beta reads it from Memo.Src and answers there.
func Example_memo() {
	// Slot names are global to the machine: keep concurrent runs apart.
	base := fmt.Sprintf("example_%d", os.Getpid())
	open := func(name string) *memo.Memoer {
		p, err := wms.Open(wms.Config{Name: name, Base: base}) // hio\wms\<base>\<name>
		if err != nil {
			log.Fatal(err)
		}
		m, err := memo.New(p, memo.Config{}) // m owns p and closes it
		if err != nil {
			log.Fatal(err)
		}
		return m
	}
	alpha, beta := open("alpha"), open("beta")
	defer alpha.Close()
	defer beta.Close()
	show := func(m memo.Memo) string { // the process ID varies; hide it
		return fmt.Sprintf("%q from %s %s", m.Data, m.Src.Network(), strings.ReplaceAll(m.Src.String(), base, "example_PID"))
	}

	ctx := context.Background()
	if err := alpha.Send(ctx, []byte("Hello beta"), beta.LocalAddr()); err != nil {
		log.Fatal(err)
	}
	got, err := beta.Receive(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(show(got))
	if err := beta.Send(ctx, []byte("Hello alpha"), got.Src); err != nil {
		log.Fatal(err)
	}
	if got, err = alpha.Receive(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println(show(got))
}
