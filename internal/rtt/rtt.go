// Package rtt estimates a path's round-trip time and the retransmission
// timeout derived from it, as RFC 6298 does: a smoothed RTT (SRTT), its mean
// deviation (RTTVAR), RTO = SRTT + max(G, 4·RTTVAR), clamped between a floor
// and a ceiling, and doubled on every timeout (exponential backoff) until a
// new measurement arrives. Memogram's Sure delivery keeps one per
// destination (as quic-go keeps its congestion state apart from the
// protocol).
//
// Karn's rule is the caller's: measure only grams that were sent once.
package rtt

import "time"

// Defaults. RFC 6298 asks for a 1 s floor on the Internet; memogram's
// default is lower, like kcp's "nodelay" minimum of 30 ms, because its
// first users are datagram links inside one site. Config raises it.
const (
	DefaultInitial = 200 * time.Millisecond
	DefaultFloor   = 30 * time.Millisecond
	DefaultCeiling = 10 * time.Second
	// Granularity is the clock granularity G of RFC 6298.
	Granularity = time.Millisecond
)

// Config bounds an Estimator. Zero fields take the defaults.
type Config struct {
	Initial time.Duration // RTO before the first measurement
	Floor   time.Duration // smallest RTO
	Ceiling time.Duration // largest RTO, also after backoff
}

// Estimator is RFC 6298's state. The zero value is not usable: use New.
type Estimator struct {
	cfg     Config
	srtt    time.Duration
	rttvar  time.Duration
	min     time.Duration // smallest sample seen
	rto     time.Duration // before backoff
	backoff uint
	samples uint64
}

// New returns an estimator with no measurement yet.
func New(cfg Config) *Estimator {
	if cfg.Initial <= 0 {
		cfg.Initial = DefaultInitial
	}
	if cfg.Floor <= 0 {
		cfg.Floor = DefaultFloor
	}
	if cfg.Ceiling <= 0 {
		cfg.Ceiling = DefaultCeiling
	}
	cfg.Ceiling = max(cfg.Ceiling, cfg.Floor)
	e := &Estimator{cfg: cfg}
	e.rto = e.clamp(cfg.Initial)
	return e
}

func (e *Estimator) clamp(d time.Duration) time.Duration {
	return min(max(d, e.cfg.Floor), e.cfg.Ceiling)
}

// Sample takes one measured round trip, less the time the peer held its
// acknowledgement (ackDelay, trusted only while the rest stays at or above
// the smallest round trip seen, as QUIC does). It resets the backoff.
func (e *Estimator) Sample(r, ackDelay time.Duration) {
	if r <= 0 {
		r = time.Microsecond
	}
	if e.samples == 0 || r < e.min {
		e.min = r
	}
	if r-ackDelay >= e.min {
		r -= ackDelay
	}
	if e.samples == 0 {
		e.srtt = r // (2.2)
		e.rttvar = r / 2
	} else { // (2.3), β = 1/4, α = 1/8
		d := e.srtt - r
		if d < 0 {
			d = -d
		}
		e.rttvar = (3*e.rttvar + d) / 4
		e.srtt = (7*e.srtt + r) / 8
	}
	e.samples++
	e.rto = e.clamp(e.srtt + max(Granularity, 4*e.rttvar))
	e.backoff = 0
}

// Backoff doubles the RTO after a retransmission timeout (RFC 6298 5.5),
// up to the ceiling.
func (e *Estimator) Backoff() {
	if e.RTO() < e.cfg.Ceiling {
		e.backoff++
	}
}

// ResetBackoff drops the backoff when the path is shown alive again (an
// acknowledgement of new data), without a measurement: Karn's rule gives
// none while only retransmitted data is acknowledged, and the backoff
// would otherwise stay at its ceiling.
func (e *Estimator) ResetBackoff() { e.backoff = 0 }

// RTO is the current retransmission timeout, backoff included.
func (e *Estimator) RTO() time.Duration {
	d := e.rto
	for i := uint(0); i < e.backoff && d < e.cfg.Ceiling; i++ {
		d *= 2
	}
	return min(d, e.cfg.Ceiling)
}

// SRTT is the smoothed round-trip time, 0 before the first sample.
func (e *Estimator) SRTT() time.Duration { return e.srtt }

// RTTVar is the round-trip variation, 0 before the first sample.
func (e *Estimator) RTTVar() time.Duration { return e.rttvar }

// Samples counts the measurements taken.
func (e *Estimator) Samples() uint64 { return e.samples }
