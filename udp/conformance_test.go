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
			openAt := func(addr string) (transporttest.Conn, error) {
				p, err := udp.Open(udp.Config{Addr: addr})
				if err != nil {
					return nil, err
				}
				return p, nil
			}
			transporttest.Run(t, transporttest.Transport{
				Net: lb.net,
				Open: func(t *testing.T) transporttest.Conn {
					c, err := openAt(lb.addr)
					if err != nil {
						t.Fatal(err)
					}
					return c
				},
				OpenAt:     openAt,
				Resolve:    func(s string) (net.Addr, error) { return net.ResolveUDPAddr(lb.net, s) },
				InUseErrno: addrInUse,
				ShortRead:  transport.ErrDatagramTooLarge,
			})
		})
	}
}
