package memo

// The congestion window of a Sure destination (docs/sure.md, "Sender"),
// beside SureConfig.Window and the receiver's advertisement.

// minCwnd is the congestion window's floor: a timeout halves the window
// down to it, never further, so that random loss (which a timeout cannot
// tell from congestion) does not stall a link to a few grams per round
// trip.
const minCwnd = 16

// window is the congestion window in grams, at most limit. A new
// destination starts with the whole configured window (loopback and LAN
// peers are the common case; the receiver's advertisement and the first
// timeout rein it in).
func (d *sureDst) window(limit int) int {
	if d.cwnd == 0 {
		d.cwnd, d.ssthresh = float64(limit), float64(limit)
	}
	return min(limit, int(d.cwnd))
}

// congested reacts to a timeout, once per timeout period: the window
// halves (RFC 5681's multiplicative decrease, floored at minCwnd) and
// grows back one gram per round trip. Fast retransmits leave it alone:
// a gram passed over by later acks shows loss, not a full queue.
func (d *sureDst) congested(limit int) {
	d.window(limit)
	d.ssthresh = max(minCwnd, min(d.cwnd, float64(d.inflight))/2)
	d.cwnd = d.ssthresh
}

// opened grows the window for one newly acked gram: by a gram below
// ssthresh (slow start), by 1/cwnd above it (congestion avoidance).
func (d *sureDst) opened(limit int) {
	d.window(limit)
	if d.cwnd < d.ssthresh {
		d.cwnd++
	} else {
		d.cwnd += 1 / d.cwnd
	}
	d.cwnd = min(d.cwnd, float64(limit))
}
