package memo

import (
	"time"
)

// Eviction keeps a receiver within MaxPending memos and MaxPendingBytes,
// least recently active first, and drops memos idle past IdleTimeout.

func (r *Reassembler) ensureGroup(grp *group, key groupKey, now time.Time) *group {
	if grp != nil {
		return grp
	}
	for len(r.groups) >= r.cfg.MaxPending {
		r.stats.EvictedPressure++
		r.remove(r.lru.front())
	}
	grp = r.newGroup(key, now)
	r.lru.pushBack(grp)
	r.groups[key] = grp
	r.account(grp, groupOverhead)
	return grp
}

func (r *Reassembler) touch(grp *group, now time.Time) {
	grp.last = now
	if grp.listed {
		r.lru.moveToBack(grp)
	}
}

func (r *Reassembler) account(grp *group, n int) {
	grp.bytes += n
	r.bytes += n
}

// squeeze evicts the least recently active memos, never grp itself, while
// the byte limit is exceeded.
func (r *Reassembler) squeeze(grp *group) {
	for r.bytes > r.cfg.MaxPendingBytes {
		front := r.lru.front()
		if front == grp {
			if r.lru.len() == 1 {
				r.stats.EvictedPressure++
				r.remove(grp)
				return
			}
			front = front.next
		}
		r.stats.EvictedPressure++
		r.remove(front)
	}
}

func (r *Reassembler) remove(grp *group) {
	if r.groups[grp.key] != grp {
		return
	}
	delete(r.groups, grp.key)
	r.lru.remove(grp)
	r.bytes -= grp.bytes
	grp.bytes = 0
	r.release(grp)
	r.retire(grp) // its memos' in-place buffers go too
}

// expire evicts memos idle for longer than IdleTimeout.
func (r *Reassembler) expire(now time.Time) {
	if r.cfg.IdleTimeout < 0 {
		return
	}
	idle := false
	for grp := r.lru.front(); grp != nil; grp = r.lru.front() {
		if now.Sub(grp.last) < r.cfg.IdleTimeout {
			break
		}
		r.stats.EvictedIdle++
		r.remove(grp)
		idle = true
	}
	if idle {
		r.trim() // what idle memos held is not kept for reuse
	}
}

// Expire evicts idle memos now; receivers call it when no grams arrive. Once
// no memo is in progress it also gives the chunks kept for reuse back to the
// collector, so that the memory of a flood is not held after it.
func (r *Reassembler) Expire() {
	r.expire(r.cfg.Now())
	r.trim()
}
