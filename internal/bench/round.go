package bench

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// inbox counts what a receiver goroutine has taken in.
type inbox struct {
	units, bytes atomic.Int64
	last         atomic.Int64  // Unix nanoseconds of the last unit
	moved        chan struct{} // a unit arrived (capacity 1)
	dead         chan struct{} // closed when the receiver stopped
	err          error         // why, once dead is closed: nil when ctx stopped it
}

// receive runs recv until ctx ends or it fails; recv returns the units and
// bytes it took in. A failure wakes the sender (unblock), which would
// otherwise wait for ever on a full queue.
func receive(ctx context.Context, unblock func(), recv func(context.Context) (units, bytes int, err error)) *inbox {
	in := &inbox{moved: make(chan struct{}, 1), dead: make(chan struct{})}
	go func() {
		defer close(in.dead)
		for {
			u, n, err := recv(ctx)
			if err != nil {
				if ctx.Err() != nil {
					err = nil
				} else {
					unblock()
				}
				in.err = err
				return
			}
			in.bytes.Add(int64(n))
			in.last.Store(time.Now().UnixNano())
			in.units.Add(int64(u))
			select {
			case in.moved <- struct{}{}:
			default:
			}
		}
	}()
	return in
}

// failure is why the receiver stopped, or nil if it has not.
func (in *inbox) failure() error {
	select {
	case <-in.dead:
		if in.err != nil {
			return fmt.Errorf("receiving: %w", in.err)
		}
		return errors.New("the receiver stopped")
	default:
		return nil
	}
}

// runRound sends for d (at least one call), then waits until the receiver
// has everything or makes no progress for drainIdle. Units are datagrams or
// memos; send returns the units and bytes of one call. A window > 0 bounds
// the bytes in flight.
func runRound(ctx context.Context, in *inbox, d time.Duration, window int64, report func(time.Duration),
	send func(context.Context) (units, bytes int, err error)) (Layer, error) {
	var res Layer
	baseUnits, baseBytes := in.units.Load(), in.bytes.Load()
	var sentBytes, lostBytes int64
	start := time.Now()
	end := start.Add(d)
	for {
		for window > 0 && sentBytes-lostBytes-(in.bytes.Load()-baseBytes) > window {
			select {
			case <-in.moved:
			case <-time.After(drainIdle):
				lostBytes = sentBytes - (in.bytes.Load() - baseBytes)
			case <-in.dead:
				return res, in.failure()
			case <-ctx.Done():
				return res, ctx.Err()
			}
		}
		u, n, err := send(ctx)
		res.Sent += int64(u)
		sentBytes += int64(n)
		if err != nil {
			if ferr := in.failure(); ferr != nil {
				return res, ferr // the cause; the send failed of it
			}
			return res, err
		}
		now := time.Now()
		report(now.Sub(start))
		if !now.Before(end) {
			break
		}
	}

	got := func() int64 { return in.units.Load() - baseUnits }
	lastGot, lastMove := got(), time.Now()
	for got() < res.Sent {
		select {
		case <-in.dead:
			return res, in.failure()
		case <-ctx.Done():
			return res, ctx.Err()
		case <-in.moved:
		case <-time.After(pollEvery):
		}
		if g := got(); g != lastGot {
			lastGot, lastMove = g, time.Now()
		} else if time.Since(lastMove) > drainIdle {
			break
		}
	}
	res.Received, res.Bytes = got(), in.bytes.Load()-baseBytes
	if res.Received > 0 {
		res.Elapsed = time.Duration(in.last.Load() - start.UnixNano())
	}
	return res, nil
}
