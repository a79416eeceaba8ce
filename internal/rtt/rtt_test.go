package rtt

import (
	"testing"
	"time"
)

func TestRFC6298(t *testing.T) {
	e := New(Config{Initial: time.Second, Floor: 10 * time.Millisecond, Ceiling: 8 * time.Second})
	if e.RTO() != time.Second {
		t.Fatalf("initial RTO %v", e.RTO())
	}
	e.Sample(100*time.Millisecond, 0)
	// (2.2): SRTT = R, RTTVAR = R/2, RTO = SRTT + 4·RTTVAR.
	if e.SRTT() != 100*time.Millisecond || e.RTTVar() != 50*time.Millisecond || e.RTO() != 300*time.Millisecond {
		t.Fatalf("after first sample: srtt %v rttvar %v rto %v", e.SRTT(), e.RTTVar(), e.RTO())
	}
	e.Sample(200*time.Millisecond, 0)
	// (2.3): RTTVAR = 3/4·50 + 1/4·|100−200| = 62.5; SRTT = 7/8·100 + 1/8·200 = 112.5.
	if e.RTTVar() != 62500*time.Microsecond || e.SRTT() != 112500*time.Microsecond {
		t.Fatalf("after second sample: srtt %v rttvar %v", e.SRTT(), e.RTTVar())
	}
	if want := 112500*time.Microsecond + 4*62500*time.Microsecond; e.RTO() != want {
		t.Fatalf("rto %v, want %v", e.RTO(), want)
	}
}

func TestBackoffCeilingAndReset(t *testing.T) {
	e := New(Config{Initial: time.Second, Floor: 10 * time.Millisecond, Ceiling: 3 * time.Second})
	e.Backoff()
	if e.RTO() != 2*time.Second {
		t.Fatalf("one backoff: %v", e.RTO())
	}
	for range 10 {
		e.Backoff()
	}
	if e.RTO() != 3*time.Second {
		t.Fatalf("backoff past ceiling: %v", e.RTO())
	}
	e.Sample(time.Millisecond, 0)
	if e.RTO() != 10*time.Millisecond {
		t.Fatalf("a sample resets backoff and the floor holds: %v", e.RTO())
	}
}

func TestAckDelay(t *testing.T) {
	e := New(Config{})
	e.Sample(10*time.Millisecond, 0)
	e.Sample(15*time.Millisecond, 5*time.Millisecond) // 10 ms of path, 5 of held ack
	if e.SRTT() != 10*time.Millisecond {
		t.Fatalf("ack delay not subtracted: %v", e.SRTT())
	}
	e.Sample(12*time.Millisecond, 11*time.Millisecond) // would fall below the minimum: not trusted
	if want := (7*10*time.Millisecond + 12*time.Millisecond) / 8; e.SRTT() != want {
		t.Fatalf("srtt %v, want %v", e.SRTT(), want)
	}
}

func TestResetBackoff(t *testing.T) {
	e := New(Config{Initial: 100 * time.Millisecond})
	e.Backoff()
	e.Backoff()
	if e.RTO() != 400*time.Millisecond {
		t.Fatalf("two backoffs: %v", e.RTO())
	}
	e.ResetBackoff()
	if e.RTO() != 100*time.Millisecond || e.Samples() != 0 {
		t.Fatalf("reset: %v, %d samples", e.RTO(), e.Samples())
	}
}
