package memo

import (
	"context"
	"sync"
	"time"
)

// deadline binds contexts to one of the transport's deadlines. Its user
// holds the matching semaphore, so calls never overlap. It remembers what it
// set last: most calls want the same deadline (none) as the call before,
// and setting a deadline is not free.
//
// A context's cancellation reaches the transport through context.AfterFunc,
// which sets a deadline in the past. Registering and unregistering that for
// every call would cost a few allocations and two locks of the context per
// memo, so the registration is kept while calls come with the same context
// (told by its Done channel) and given up when another comes, or the Memoer
// closes.
type deadline struct {
	set  func(time.Time) error
	mu   sync.Mutex // Close releases while a call may be binding
	last time.Time
	// watched is the Done channel of the context registered; unregister
	// and fired are its context.AfterFunc's.
	watched    <-chan struct{}
	unregister func() bool
	fired      chan struct{}
}

// bind makes ctx's deadline and cancellation the transport's deadline for
// one call.
func (d *deadline) bind(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	done := ctx.Done()
	if done != d.watched {
		d.releaseLocked()
	}
	want, _ := ctx.Deadline()
	if !want.Equal(d.last) {
		if err := d.set(want); err != nil {
			return err
		}
		d.last = want
	}
	if done != nil && d.watched == nil {
		fired := make(chan struct{})
		d.unregister = context.AfterFunc(ctx, func() { _ = d.set(longAgo); close(fired) })
		d.watched, d.fired = done, fired
	}
	return nil
}

// unbind ends a call. A call that raced with Close may have registered
// after Close released: it gives that up, so that a closed Memoer is not
// kept alive by a context that lives on.
func (d *deadline) unbind(closed <-chan struct{}) {
	select {
	case <-closed:
		d.release()
	default:
	}
}

func (d *deadline) release() {
	d.mu.Lock()
	d.releaseLocked()
	d.mu.Unlock()
}

// releaseLocked gives the registration up. If its context ended, it waits
// for the past deadline to be set: left running, that could land in the
// next call and end it.
func (d *deadline) releaseLocked() {
	if d.watched == nil {
		return
	}
	if !d.unregister() {
		<-d.fired
		d.last = longAgo
	}
	d.watched, d.unregister, d.fired = nil, nil, nil
}
