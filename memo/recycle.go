package memo

import (
	"net"
	"time"
)

// A receiver in steady state makes no garbage per memo: the state of a memo
// in progress (its group, its pending memos, their span and chunk lists) is
// kept for the next memo once the memo is delivered or evicted. The least
// recently active order is an intrusive list for the same reason: a
// container/list element per memo would be an allocation per memo.
//
// A group that goes is not reused within the Add that removed it (callers up
// the stack may still look at it); it is retired, and the next Add makes it
// spare. Spares are few and their lists short, so that what they keep is
// small beside MaxPendingBytes however large the memos before them were.
const (
	maxSpare     = 32
	maxSpareList = 4096 // entries of a span or chunk list a spare keeps
)

// groupList is a doubly linked list of groups, least recently active first.
type groupList struct {
	head, tail *group
	n          int
}

func (l *groupList) front() *group { return l.head }
func (l *groupList) len() int      { return l.n }

func (l *groupList) pushBack(g *group) {
	g.prev, g.next = l.tail, nil
	if l.tail != nil {
		l.tail.next = g
	} else {
		l.head = g
	}
	l.tail = g
	g.listed = true
	l.n++
}

func (l *groupList) remove(g *group) {
	if g.prev != nil {
		g.prev.next = g.next
	} else {
		l.head = g.next
	}
	if g.next != nil {
		g.next.prev = g.prev
	} else {
		l.tail = g.prev
	}
	g.prev, g.next, g.listed = nil, nil, false
	l.n--
}

func (l *groupList) moveToBack(g *group) {
	if l.tail != g {
		l.remove(g)
		l.pushBack(g)
	}
}

// newGroup returns an empty group for key, a spare one if there is one.
func (r *Reassembler) newGroup(key groupKey, now time.Time) *group {
	grp := takeSpare(&r.spareGroups)
	grp.key, grp.last = key, now
	return grp
}

// newPending returns an empty memo from src, a spare one if there is one.
func (r *Reassembler) newPending(src net.Addr) *pending {
	p := takeSpare(&r.sparePending)
	p.src = src
	return p
}

// takeSpare takes the last of spares, or a new T if there is none.
func takeSpare[T any](spares *[]*T) *T {
	s := *spares
	n := len(s)
	if n == 0 {
		return new(T)
	}
	v := s[n-1]
	s[n-1] = nil
	*spares = s[:n-1]
	return v
}

// retire keeps grp, just removed, and its memos for reuse from the next Add
// on.
func (r *Reassembler) retire(grp *group) {
	if grp.unsigned != nil {
		r.retirePending(grp.unsigned)
	}
	for _, p := range grp.signed {
		r.retirePending(p)
	}
	if len(r.retired) < maxSpare {
		r.retired = append(r.retired, grp)
	}
}

// retirePending keeps p, delivered or gone with its group, for reuse from
// the next Add on, after giving up its in-place buffer if it still has one
// (a delivered memo's went with it).
func (r *Reassembler) retirePending(p *pending) {
	r.dropInPlace(p)
	if len(r.retiredPending) < maxSpare {
		r.retiredPending = append(r.retiredPending, p)
	}
}

// reuseRetired makes the groups and memos retired before this Add spare.
func (r *Reassembler) reuseRetired() {
	for i, grp := range r.retired {
		r.retired[i] = nil
		if len(r.spareGroups) < maxSpare {
			*grp = group{
				signed: clearList(grp.signed),
				held:   clearList(grp.held),
				chunks: clearList(grp.chunks),
			}
			r.spareGroups = append(r.spareGroups, grp)
		}
	}
	r.retired = r.retired[:0]
	for i, p := range r.retiredPending {
		r.retiredPending[i] = nil
		r.spare(p)
	}
	r.retiredPending = r.retiredPending[:0]
}

func (r *Reassembler) spare(p *pending) {
	if len(r.sparePending) >= maxSpare {
		return
	}
	ooo := p.ooo
	clear(ooo)
	if len(ooo) > maxSpareList {
		ooo = nil
	}
	*p = pending{spans: clearList(p.spans), ooo: ooo}
	r.sparePending = append(r.sparePending, p)
}

// clearList empties s for reuse, or drops it if it is long.
func clearList[T any](s []T) []T {
	if cap(s) > maxSpareList {
		return nil
	}
	clear(s[:cap(s)])
	return s[:0]
}
