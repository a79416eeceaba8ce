package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/memogram/memogram/memo"
)

// recvReport is what recv says of its receiving: memos, and every gram
// dropped or memo evicted by reason. It goes to stderr on exit when
// something was dropped (or always with --stats), and every --stats-every
// with --stats.
type recvReport struct {
	Memos       uint64            `json:"memos"`
	Grams       uint64            `json:"grams"`
	Bytes       uint64            `json:"bytes"`
	Rejected    map[string]uint64 `json:"rejected"`
	Evicted     map[string]uint64 `json:"evicted"`
	KernelDrops *uint64           `json:"kernel_drops"` // null where the platform does not count them
	AcksSent    uint64            `json:"acks_sent"`
	Duplicates  uint64            `json:"duplicates"` // Sure memos sent again and dropped (exactly once)
}

func newRecvReport(st memo.Stats, drops *uint64) recvReport {
	r := st.Receive.Rejected
	return recvReport{
		Memos: st.Receive.Memos, Grams: st.Receive.Grams, Bytes: st.Receive.Bytes,
		Rejected: map[string]uint64{
			"malformed": r.Malformed, "ack": r.Ack, "not_signed": r.NotSigned, "bad_signature": r.BadSignature,
			"unknown_signer": r.UnknownSigner, "duplicate": r.Duplicate, "gram_number": r.GramNumber,
			"late": r.Late, "too_large": r.TooLarge, "candidates": r.Candidates, "replay": r.Replay,
		},
		Evicted:     map[string]uint64{"idle": st.Receive.EvictedIdle, "pressure": st.Receive.EvictedPressure},
		KernelDrops: drops,
		AcksSent:    st.Sure.AcksSent,
		Duplicates:  st.Sure.Duplicates,
	}
}

// losses reports whether anything was dropped or evicted.
func (r recvReport) losses() bool {
	for _, m := range []map[string]uint64{r.Rejected, r.Evicted} {
		for _, n := range m {
			if n > 0 {
				return true
			}
		}
	}
	return r.KernelDrops != nil && *r.KernelDrops > 0
}

// text is the report as one line; reasons that counted nothing are left out.
func (r recvReport) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "recv: %s (%d bytes, %s)", plural(r.Memos, "memo"), r.Bytes, plural(r.Grams, "gram"))
	part := func(what string, m map[string]uint64, order []string) {
		var total uint64
		var by []string
		for _, k := range order {
			if n := m[k]; n > 0 {
				total += n
				by = append(by, fmt.Sprintf("%s %d", strings.ReplaceAll(k, "_", " "), n))
			}
		}
		if total > 0 {
			fmt.Fprintf(&b, "; %s %d (%s)", what, total, strings.Join(by, ", "))
		}
	}
	part("grams rejected", r.Rejected, []string{"malformed", "ack", "not_signed", "bad_signature", "unknown_signer", "duplicate", "gram_number", "late", "too_large", "candidates", "replay"})
	part("memos evicted", r.Evicted, []string{"idle", "pressure"})
	if r.KernelDrops != nil && *r.KernelDrops > 0 {
		fmt.Fprintf(&b, "; %s dropped by the kernel (receive buffer full)", plural(*r.KernelDrops, "datagram"))
	}
	if r.AcksSent > 0 || r.Duplicates > 0 {
		fmt.Fprintf(&b, "; sure: %s sent, %s sent again dropped", plural(r.AcksSent, "ack"), plural(r.Duplicates, "memo"))
	}
	return b.String()
}

// kernelDropper is udp.Peer's KernelDrops.
type kernelDropper interface{ KernelDrops() (uint64, bool) }

// recvStats reports a receiving Memoer's counters to w.
type recvStats struct {
	m      *memo.Memoer
	conn   any
	w      io.Writer
	asJSON bool
}

func (s recvStats) report() recvReport {
	var drops *uint64
	if k, ok := s.conn.(kernelDropper); ok {
		if n, ok := k.KernelDrops(); ok {
			drops = &n
		}
	}
	return newRecvReport(s.m.Stats(), drops)
}

func (s recvStats) write(r recvReport) {
	if s.asJSON {
		enc := json.NewEncoder(s.w)
		_ = enc.Encode(r)
		return
	}
	fmt.Fprintln(s.w, r.text())
}

// periodic writes a report every d until done closes.
func (s recvStats) periodic(d time.Duration, done <-chan struct{}) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			s.write(s.report())
		case <-done:
			return
		}
	}
}

// watchSocketFile tells gone once path (the unix socket recv bound) is
// gone: nothing can reach the receiver then, and waiting on would hide it.
// It checks every d until done closes.
func watchSocketFile(path string, d time.Duration, done <-chan struct{}, gone func(error)) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			if fi, err := os.Lstat(path); err != nil || fi.Mode()&os.ModeSocket == 0 {
				gone(fmt.Errorf("recv: the socket file %s was removed or replaced: no sender can reach this receiver; restart recv to bind it again", path))
				return
			}
		case <-done:
			return
		}
	}
}
