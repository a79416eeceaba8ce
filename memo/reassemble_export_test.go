package memo

import (
	"net"
)

// pendingMIDs lists the mids of memos in progress, least recently active
// first.
func (r *Reassembler) pendingMIDs() []MID {
	var mids []MID
	for grp := r.lru.front(); grp != nil; grp = grp.next {
		mids = append(mids, grp.key.mid)
	}
	return mids
}

// pendingCount returns the gram count recorded for a pending memo of mid
// from src (the unsigned one, or the first signed candidate), or 0.
func (r *Reassembler) pendingCount(src net.Addr, mid MID) int {
	key := groupKey{mid: mid}
	if src != nil {
		key.src = src.String()
	}
	grp := r.groups[key]
	switch {
	case grp == nil:
		return 0
	case grp.unsigned != nil && grp.unsigned.gc != 0:
		return grp.unsigned.gc
	}
	for _, p := range grp.signed {
		if p.gc != 0 {
			return p.gc
		}
	}
	return 0
}
