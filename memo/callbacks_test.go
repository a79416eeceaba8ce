package memo

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/memogram/memogram/transport"
)

// reentrant calls Stats and then Close from inside a callback. A callback
// run under the Memoer's lock deadlocks here; the watchdog turns that into a
// failure instead of a hung test.
func reentrant(t *testing.T, name string, run func(call func(m *Memoer))) {
	t.Run(name, func(t *testing.T) {
		called := make(chan struct{}, 1)
		done := make(chan struct{})
		go func() {
			defer close(done)
			run(func(m *Memoer) {
				_ = m.Stats()
				_ = m.QueuedGrams()
				_ = m.Close()
				select {
				case called <- struct{}{}:
				default:
				}
			})
		}()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: calling Stats and Close from the callback deadlocked", name)
		}
		select {
		case <-called:
		default:
			t.Fatalf("%s: the callback was never called", name)
		}
	})
}

func TestCallbacksMayCallStatsAndClose(t *testing.T) {
	reentrant(t, "OnSendError", func(call func(*Memoer)) {
		var m *Memoer
		m, _ = New(&stubPeer{sendErr: transport.ErrNoDestination}, Config{
			OnSendError: func(net.Addr, MID, error) { call(m) },
		})
		if err := m.Memoit([]byte("lost"), testAddr("gone")); err != nil {
			t.Error(err)
		}
		_ = m.Service()
	})
	reentrant(t, "RenderConfig.MIDs via Memoit", func(call func(*Memoer)) {
		var m *Memoer
		m, _ = New(&stubPeer{}, Config{Render: RenderConfig{MIDs: func() ([16]byte, error) {
			call(m)
			return RandomMID()
		}}})
		_ = m.Memoit([]byte("hi"), testAddr("x"))
	})
	reentrant(t, "RenderConfig.MIDs via Memoit Sure", func(call func(*Memoer)) {
		var m *Memoer
		m, _ = New(&stubPeer{}, Config{Sure: true, Render: RenderConfig{MIDs: func() ([16]byte, error) {
			call(m)
			return RandomMID()
		}}})
		_ = m.Memoit([]byte("hi"), testAddr("x"))
	})
	reentrant(t, "RenderConfig.MIDs via Send", func(call func(*Memoer)) {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Error(err)
			return
		}
		var m *Memoer
		m, _ = New(c, Config{Render: RenderConfig{MIDs: func() ([16]byte, error) {
			call(m)
			return RandomMID()
		}}})
		_ = m.Send(context.Background(), []byte("hi"), c.LocalAddr())
	})
	for _, service := range []bool{false, true} {
		reentrant(t, map[bool]string{false: "ResolveSource via Receive", true: "ResolveSource via Service and PopMemo"}[service], func(call func(*Memoer)) {
			rc, err := net.ListenPacket("udp", "127.0.0.1:0")
			if err != nil {
				t.Error(err)
				return
			}
			tc, err := net.ListenPacket("udp", "127.0.0.1:0")
			if err != nil {
				t.Error(err)
				return
			}
			var rx *Memoer
			rx, _ = New(sourceless{rc}, Config{Receive: ReceiveConfig{ResolveSource: func(name string) (net.Addr, error) {
				call(rx)
				return net.ResolveUDPAddr("udp", name)
			}}})
			tx, _ := New(sourceless{tc}, Config{})
			defer tx.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := tx.Send(ctx, []byte("from a carried source"), rc.LocalAddr()); err != nil {
				t.Error(err)
				return
			}
			if !service {
				if m, err := rx.Receive(ctx); err != nil || m.Src.String() != tc.LocalAddr().String() {
					t.Errorf("received from %v: %v", m.Src, err)
				}
				return
			}
			for ctx.Err() == nil {
				if rx.Service() != nil {
					return
				}
				if m, ok := rx.PopMemo(); ok {
					if m.Src.String() != tc.LocalAddr().String() {
						t.Errorf("received from %v", m.Src)
					}
					return
				}
				time.Sleep(time.Millisecond)
			}
		})
	}
}
