package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/memogram/memogram/memo"
)

// sureWorkers bounds the Sure memos send keeps in flight at once.
const sureWorkers = 64

// jsonDelivery is the --sure --json contract, one object per memo.
type jsonDelivery struct {
	Memo        int     `json:"memo"`
	MID         string  `json:"mid"`
	Bytes       int     `json:"bytes"`
	Delivered   bool    `json:"delivered"`
	MS          float64 `json:"ms"`
	Retransmits int     `json:"retransmits"`
	Error       *string `json:"error"`
}

// sendSure sends memos in Sure mode, many at once, and fails (exit 1) when
// one was not delivered.
func sendSure(ctx, sctx context.Context, e *env, m *memo.Memoer, memos []memoArg, dst net.Addr, ep endpoint, timeout time.Duration, asJSON bool) error {
	type result struct {
		d   memo.Delivery
		err error
	}
	res := make([]result, len(memos))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(sureWorkers, len(memos)) {
		wg.Go(func() {
			for i := range next {
				d, err := m.SendSure(sctx, memos[i].data, dst, memo.SendOptions{})
				res[i] = result{d, err}
			}
		})
	}
	for i := range memos {
		next <- i
	}
	close(next)
	wg.Wait()
	var enc *json.Encoder
	if asJSON {
		enc = json.NewEncoder(e.stdout)
	}
	failed := 0
	var first error
	for i, r := range res {
		if r.err != nil {
			failed++
			if first == nil {
				first = r.err
			}
		}
		if enc != nil {
			j := jsonDelivery{Memo: i + 1, MID: r.d.MID.String(), Bytes: len(memos[i].data), Delivered: r.err == nil,
				MS: float64(r.d.Elapsed.Microseconds()) / 1000, Retransmits: r.d.Retransmits}
			if r.err != nil {
				s := r.err.Error()
				j.Error = &s
			}
			if err := enc.Encode(j); err != nil {
				return err
			}
		}
	}
	switch {
	case ctx.Err() != nil:
		return errInterrupted
	case first == nil:
		return nil
	case sctx.Err() != nil && errors.Is(first, context.DeadlineExceeded):
		return timeoutError("send: timed out after %v (%d of %d memos not delivered to %s)", timeout, failed, len(memos), ep)
	case errors.Is(first, memo.ErrNotDelivered):
		return fmt.Errorf("send: %d of %d memos not delivered to %s; the first: %w", failed, len(memos), ep, first)
	}
	return transportError("send", ep, first)
}
