package memo

import "time"

// Signed memos carry no timestamp and their signatures do not cover the
// transport source, so a captured signed memo verifies again when replayed,
// from any address. A receiver therefore remembers the signed memos it
// delivered by (vid, mid), whatever their source, for ReplayWindow, and
// drops a zeroth gram of one it remembers (counted as Rejected.Replay; the
// error matches ErrLateGram). Only memos whose every gram verified enter this
// memory, so unsigned or forged traffic cannot flush it; each vid has a quota
// (ReplayPerVID), so one signer's memos cannot flush another's, and the whole
// is bounded (ReplayMax), the heaviest signer giving way first. A replay
// after the window, or after its entry gave way, is delivered again: the
// application needs its own freshness check (a timestamp or counter inside
// the memo) where that matters.

// Default replay limits.
const (
	DefaultReplayWindow = 10 * time.Minute
	DefaultReplayPerVID = 1 << 16
	DefaultReplayMax    = 1 << 18 // about 100 bytes each
)

type replayKey struct {
	vid [33]byte
	mid MID
}

type replayEntry struct {
	mid MID
	at  time.Time
}

// replayVID is one signer's delivered memos, oldest first.
type replayVID struct {
	vid   [33]byte
	queue []replayEntry
}

type replayMemory struct {
	window  time.Duration
	perVID  int
	max     int
	seen    map[replayKey]time.Time
	vids    map[[33]byte]*replayVID
	heavy   *replayVID // the signer with the most entries, as far as known
	dropped uint64     // entries that gave way to the bounds before their window ended
}

func newReplayMemory(cfg *ReceiveConfig) replayMemory {
	return replayMemory{
		window: cfg.ReplayWindow, perVID: cfg.ReplayPerVID, max: cfg.ReplayMax,
		seen: make(map[replayKey]time.Time), vids: make(map[[33]byte]*replayVID),
	}
}

// replayed reports whether vid's memo mid was delivered inside the window.
func (m *replayMemory) replayed(vid *[33]byte, mid MID, now time.Time) bool {
	if m.window < 0 {
		return false
	}
	at, ok := m.seen[replayKey{*vid, mid}]
	return ok && now.Sub(at) < m.window
}

// add remembers vid's memo mid, delivered at now.
func (m *replayMemory) add(vid *[33]byte, mid MID, now time.Time) {
	if m.window < 0 {
		return
	}
	v := m.vids[*vid]
	if v == nil {
		v = &replayVID{vid: *vid}
		m.vids[*vid] = v
	}
	m.expire(v, now)
	if len(v.queue) >= m.perVID {
		m.pop(v)
		m.dropped++
	}
	for len(m.seen) >= m.max {
		h := m.heaviest()
		m.expire(h, now)
		if len(m.seen) < m.max {
			break
		}
		m.pop(h)
		m.dropped++
	}
	m.seen[replayKey{*vid, mid}] = now
	v.queue = append(v.queue, replayEntry{mid, now})
	if m.heavy == nil || len(v.queue) > len(m.heavy.queue) {
		m.heavy = v
	}
}

func (m *replayMemory) heaviest() *replayVID {
	if m.heavy == nil || len(m.heavy.queue) == 0 {
		m.heavy = nil
		for _, v := range m.vids {
			if m.heavy == nil || len(v.queue) > len(m.heavy.queue) {
				m.heavy = v
			}
		}
	}
	return m.heavy
}

// expire forgets v's entries older than the window.
func (m *replayMemory) expire(v *replayVID, now time.Time) {
	for len(v.queue) > 0 && now.Sub(v.queue[0].at) >= m.window {
		m.pop(v)
	}
}

func (m *replayMemory) pop(v *replayVID) {
	e := v.queue[0]
	delete(m.seen, replayKey{v.vid, e.mid})
	v.queue = v.queue[1:]
	if len(v.queue) == 0 {
		delete(m.vids, v.vid)
		v.queue = nil
		if m.heavy == v {
			m.heavy = nil
		}
	}
}

// ReplayRemembered is the number of signed memos a receiver remembers now.
func (r *Reassembler) ReplayRemembered() int { return len(r.replay.seen) }

// fresh refuses a verified signed zeroth gram of a memo delivered inside the
// replay window.
func (r *Reassembler) fresh(g *Gram) error {
	if r.replay.replayed(&g.vid, g.MID, r.now) {
		r.stats.Rejected.Replay++
		return errorf(ErrLateGram, "signed memo %s of %s replayed", g.MID, g.VID())
	}
	return nil
}
