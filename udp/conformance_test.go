package udp_test

import (
	"net"
	"testing"

	"github.com/memogram/memogram/internal/transporttest"
	"github.com/memogram/memogram/transport"
	"github.com/memogram/memogram/udp"
)

// TestConformance runs the shared suite over IPv4 and IPv6 loopback. UDP
// cannot tell that nothing listens at a destination, so NoDestination
// skips.
func TestConformance(t *testing.T) {
	for _, lb := range []struct{ net, addr string }{{"udp4", "127.0.0.1:0"}, {"udp6", "[::1]:0"}} {
		t.Run(lb.net, func(t *testing.T) {
			if p, err := udp.Open(udp.Config{Addr: lb.addr}); err != nil {
				t.Skipf("no %s loopback: %v", lb.net, err)
			} else {
				p.Close()
			}
			transporttest.Run(t, transporttest.Transport{
				Net: lb.net,
				OpenAt: transporttest.Opener(func(addr string) (*udp.Peer, error) {
					return udp.Open(udp.Config{Addr: addr})
				}),
				Fresh:      func(*testing.T) string { return lb.addr },
				Resolve:    func(s string) (net.Addr, error) { return net.ResolveUDPAddr(lb.net, s) },
				InUseErrno: addrInUse,
				ShortRead:  transport.ErrDatagramTooLarge,
			})
		})
	}
}
