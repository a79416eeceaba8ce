package main

import (
	"crypto/rand"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/memogram/memogram/memo"
	"github.com/memogram/memogram/udp"
	"github.com/memogram/memogram/uxd"
	"github.com/memogram/memogram/wms"
)

// Transport names, which are also the address prefixes.
const (
	tUXD = "uxd"
	tUDP = "udp"
	tWMS = "wms"
)

var transports = []string{tUXD, tUDP, tWMS}

const addrForms = "uxd:PATH, udp:HOST:PORT or wms:NAME"

// endpoint is a parsed command-line address: "uxd:PATH", "udp:HOST:PORT"
// or "wms:NAME".
type endpoint struct {
	kind string
	rest string       // the address after the prefix, as given
	udp  *net.UDPAddr // resolved, for udp
	wms  wms.Addr     // checked, for wms
	// udpBuf, when > 0, is SO_SNDBUF and SO_RCVBUF for udp (hio's bs);
	// 0 keeps hio's default of 1,024 grams' worth.
	udpBuf int
}

func (e endpoint) String() string { return e.kind + ":" + e.rest }

// parseEndpoint checks an address fully before anything is bound, so that a
// typo is a usage error (exit 2) rather than a runtime failure.
func parseEndpoint(s string) (endpoint, error) {
	kind, rest, ok := strings.Cut(s, ":")
	if !ok {
		return endpoint{}, usageErrorf("malformed address %q: want %s", s, addrForms)
	}
	if !validTransport(kind) {
		return endpoint{}, usageErrorf("unknown transport %q in address %q: want %s", kind, s, addrForms)
	}
	e := endpoint{kind: kind, rest: rest}
	if rest == "" {
		return e, usageErrorf("malformed address %q: nothing after %q", s, kind+":")
	}
	switch kind {
	case tUDP:
		host, port, err := net.SplitHostPort(rest)
		if err != nil {
			return e, usageErrorf("malformed address %q: want udp:HOST:PORT (udp:[::1]:PORT for IPv6): %v", s, err)
		}
		if n, err := strconv.ParseUint(port, 10, 16); err != nil || port == "" {
			return e, usageErrorf("malformed address %q: port %q is not 0-65535", s, port)
		} else if host == "" {
			// hio's empty host: all IPv4 interfaces.
			e.udp = &net.UDPAddr{IP: net.IPv4zero, Port: int(n)}
			return e, nil
		}
		a, err := net.ResolveUDPAddr("udp", rest)
		if err != nil {
			return e, usageErrorf("malformed address %q: %v", s, err)
		}
		e.udp = a
	case tWMS:
		a, err := wms.ParseAddr(rest)
		if err != nil {
			return e, badInput(fmt.Errorf("malformed address %q: %w", s, err))
		}
		e.wms = a
	}
	return e, nil
}

func validTransport(kind string) bool {
	for _, t := range transports {
		if kind == t {
			return true
		}
	}
	return false
}

// addr is the net.Addr that the transport's WriteTo takes for e.
func (e endpoint) addr() net.Addr {
	switch e.kind {
	case tUDP:
		return e.udp
	case tWMS:
		return e.wms
	}
	return &net.UnixAddr{Name: e.rest, Net: "unixgram"}
}

// open binds e. maxDatagram, when > 0, raises UDP's datagram limit (1240 by
// default, hio's safe size) so that a larger --gram can be used on paths,
// such as loopback, that carry it.
func (e endpoint) open(maxDatagram int) (net.PacketConn, error) {
	return e.openWith(maxDatagram, nil)
}

// openWith is open with a umask for the endpoint's access (uxd and wms; nil:
// owner-only, the transports' default).
func (e endpoint) openWith(maxDatagram int, umask *uint32) (net.PacketConn, error) {
	switch e.kind {
	case tUDP:
		cfg := udp.Config{Addr: e.udp.String()}
		if e.udpBuf > 0 {
			cfg.BufCount, cfg.BufSize = -1, e.udpBuf
		}
		if maxDatagram > udp.MaxGramSize {
			cfg.MaxDatagramSize = min(maxDatagram, udp.MaxIPv4DatagramSize)
		}
		return packetConn(udp.Open(cfg))
	case tWMS:
		return packetConn(wms.Open(wms.Config{Name: e.wms.Name, Umask: umask}))
	}
	// The uxd package makes missing directories, as hio does; here they
	// would outlive the socket, so a mistyped path is refused instead.
	if fi, err := os.Stat(filepath.Dir(e.rest)); err != nil || !fi.IsDir() {
		return nil, usageErrorf("%s: directory %s does not exist", e, filepath.Dir(e.rest))
	}
	cfg := uxd.Config{Path: e.rest}
	if umask != nil {
		m := fs.FileMode(*umask)
		cfg.Umask = &m
	}
	return packetConn(uxd.Open(cfg))
}

// packetConn keeps a failed Open's typed nil pointer out of the interface.
func packetConn[P net.PacketConn](p P, err error) (net.PacketConn, error) {
	if err != nil {
		return nil, err
	}
	return p, nil
}

// srcString is a memo's sender without the transport prefix, the form
// `--to <transport>:<src>` answers; ok is false when the sender is unknown
// (an unbound unix socket, a mailslot sender that carried no name).
func srcString(a net.Addr) (s string, ok bool) {
	switch a := a.(type) {
	case nil:
		return "", false
	case *net.UnixAddr:
		if a == nil || a.Name == "" {
			return "", false
		}
		return a.Name, true
	case *net.UDPAddr:
		if a == nil {
			return "", false
		}
		return a.String(), true
	case wms.Addr:
		return a.Name, a.Name != ""
	case *wms.Addr:
		if a == nil {
			return "", false
		}
		return a.Name, a.Name != ""
	case memo.SourceAddr:
		return string(a), a != ""
	}
	s = a.String()
	return s, s != ""
}

// defaultTransport is the platform's native local transport.
func defaultTransport() string {
	if isWindows {
		return tWMS
	}
	return tUXD
}

// scratch hands out local endpoints that belong to this process only: a
// private temporary directory for sockets, PID and random text in slot
// names, port 0 for UDP. cleanup removes the directory.
type scratch struct {
	kind string
	dir  string // uxd only
	tag  string // wms only
}

func newScratch(kind string) (*scratch, error) {
	s := &scratch{kind: kind}
	switch kind {
	case tUXD:
		// Short: sun_path holds 107 bytes, and TMPDIR can be long.
		dir, err := os.MkdirTemp("", "mg")
		if err != nil {
			return nil, err
		}
		s.dir = dir
	case tWMS:
		// Slot names are global to the machine (to a wineserver under Wine).
		s.tag = fmt.Sprintf("%d-%s", os.Getpid(), strings.ToLower(rand.Text()[:8]))
	}
	return s, nil
}

// endpoint names a fresh local address for role. For UDP it is on the
// loopback interface unless peer, the address to be reached, is elsewhere,
// and of peer's IP version: a socket reaches only its own family.
func (s *scratch) endpoint(role string, peer net.IP) endpoint {
	switch s.kind {
	case tUDP:
		ip := net.IPv4(127, 0, 0, 1).To4()
		v6 := peer != nil && peer.To4() == nil
		switch {
		case peer != nil && !peer.IsLoopback() && v6:
			ip = net.IPv6unspecified
		case peer != nil && !peer.IsLoopback():
			ip = net.IPv4zero
		case v6:
			ip = net.IPv6loopback
		}
		a := &net.UDPAddr{IP: ip}
		return endpoint{kind: tUDP, rest: a.String(), udp: a}
	case tWMS:
		a := wms.Addr{Name: `memogram\` + s.tag + `\` + role}
		return endpoint{kind: tWMS, rest: a.Name, wms: a}
	}
	return endpoint{kind: tUXD, rest: filepath.Join(s.dir, role)}
}

func (s *scratch) cleanup() {
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
}

// boundEndpoint is e with the address the transport actually bound (the
// port that port 0 picked).
func boundEndpoint(e endpoint, conn net.PacketConn) endpoint {
	if a, ok := conn.LocalAddr().(*net.UDPAddr); ok && e.kind == tUDP {
		e.udp, e.rest = a, a.String()
	}
	return e
}
