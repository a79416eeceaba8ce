package memo

// remember records a delivered (source, mid) so that late copies of its
// grams are dropped instead of starting a memo that never completes (A6).
func (r *Reassembler) remember(k groupKey) {
	if len(r.ring) < defaultRecent {
		r.ring = append(r.ring, k)
	} else {
		delete(r.recent, r.ring[r.ringAt])
		r.ring[r.ringAt] = k
		r.ringAt = (r.ringAt + 1) % len(r.ring)
	}
	r.recent[k] = struct{}{}
}
