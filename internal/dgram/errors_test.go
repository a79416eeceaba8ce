package dgram

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"

	"github.com/memogram/memogram/transport"
)

func TestOpError(t *testing.T) {
	src := &net.UnixAddr{Name: "/tmp/a", Net: "unixgram"}
	err := OpError("read", "unixgram", src, (*net.UnixAddr)(nil), os.ErrDeadlineExceeded)
	if got, want := err.Error(), "read unixgram /tmp/a: "+os.ErrDeadlineExceeded.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	var ne net.Error
	var oe *net.OpError
	if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, os.ErrDeadlineExceeded) ||
		!errors.As(err, &oe) || oe.Addr != nil {
		t.Errorf("%v: not a timing-out *net.OpError without Addr", err)
	}
	closed := OpError("write", "udp4", nil, &net.UDPAddr{Port: 9}, net.ErrClosed)
	if closed.(net.Error).Timeout() || !errors.Is(closed, net.ErrClosed) {
		t.Errorf("%v: Timeout %v", closed, closed.(net.Error).Timeout())
	}
}

func TestKindAndCause(t *testing.T) {
	errno := errors.New("errno")
	wrapped := &net.OpError{Op: "write", Net: "udp", Err: os.NewSyscallError("sendto", errno)}
	if got := Cause(wrapped); got != errno {
		t.Errorf("Cause = %#v, want the bare errno", got)
	}
	err := Kind(transport.ErrNoDestination, errno)
	if !errors.Is(err, transport.ErrNoDestination) || !errors.Is(err, errno) {
		t.Errorf("Kind matches neither side: %v", err)
	}
	if got, want := err.Error(), transport.ErrNoDestination.Error()+": errno"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestSendError(t *testing.T) {
	refused := errors.New("refused")
	local := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}
	dst := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 2}
	c := &Core[name]{spec: Spec[name]{Net: "udp4", Local: func() net.Addr { return local },
		NoDestination: func(err error) bool { return errors.Is(err, refused) }}}
	prefix := "write udp4 127.0.0.1:1->127.0.0.1:2: "
	for _, e := range []struct {
		err       error
		want, not error
	}{
		{refused, transport.ErrNoDestination, transport.ErrWouldBlock},
		{&net.OpError{Err: net.ErrClosed}, net.ErrClosed, transport.ErrNoDestination},
		{os.ErrDeadlineExceeded, os.ErrDeadlineExceeded, transport.ErrWouldBlock},
	} {
		err := c.sendError(dst, 10, 5, e.err)
		if !errors.Is(err, e.want) || errors.Is(err, e.not) || !strings.HasPrefix(err.Error(), prefix) {
			t.Errorf("sendError(%v) = %v: want %v, not %v", e.err, err, e.want, e.not)
		}
	}
	err := c.tooLarge(dst, 10, 5)
	var tl *transport.DatagramTooLargeError
	if !errors.As(err, &tl) || tl.Size != 10 || tl.Max != 5 || err.Error() != prefix+tl.Error() {
		t.Errorf("tooLarge = %v", err)
	}
}

// name is a destination for a test Core.
type name string

func (n name) String() string { return string(n) }

func TestBufSizes(t *testing.T) {
	for _, c := range []struct{ count, size, bc, bs int }{
		{0, 0, 4, 4 * 1000},
		{1, 0, 1, 1000},
		{2, 999, 2, 2000},
		{0, 1234, 0, 1234},
		{-1, 0, 0, 65535},
		{-1, -5, 0, 65535},
	} {
		bc, bs := BufSizes(c.count, c.size, 4, 1000)
		if bc != c.bc || bs != c.bs {
			t.Errorf("BufSizes(%d, %d) = %d, %d; want %d, %d", c.count, c.size, bc, bs, c.bc, c.bs)
		}
	}
}

func ExampleKind() {
	err := Kind(transport.ErrAddrInUse, errors.New("a live socket is bound there"))
	fmt.Println(errors.Is(err, transport.ErrAddrInUse), err)
	// Output: true address in use: a live socket is bound there
}
