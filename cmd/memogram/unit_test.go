package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/memogram/memogram/memo"
	"github.com/memogram/memogram/transport"
	"github.com/memogram/memogram/wms"
)

func TestParseEndpoint(t *testing.T) {
	good := []struct{ in, kind, rest string }{
		{"uxd:/tmp/a.sock", tUXD, "/tmp/a.sock"},
		{"uxd:rel/a", tUXD, "rel/a"},
		{"udp:127.0.0.1:7000", tUDP, "127.0.0.1:7000"},
		{"udp:[::1]:7000", tUDP, "[::1]:7000"},
		{"udp::7000", tUDP, ":7000"},
		{`wms:hio\wms\alpha`, tWMS, `hio\wms\alpha`},
	}
	for _, c := range good {
		e, err := parseEndpoint(c.in)
		if err != nil || e.kind != c.kind || e.rest != c.rest || e.String() != c.in {
			t.Errorf("parseEndpoint(%q) = %+v, %v", c.in, e, err)
		}
	}
	if e, _ := parseEndpoint("udp:[::1]:7000"); e.udp.IP.To4() != nil || e.udp.Port != 7000 {
		t.Errorf("IPv6 address parsed as %v", e.udp)
	}
	for _, in := range []string{"", "uxd", "uxd:", "tcp:x:1", "UXD:/x", "udp:1.2.3.4", "udp:1.2.3.4:x",
		"udp:1.2.3.4:65536", "udp:[::1:7", `wms:\bad`, "wms:a/b"} {
		if _, err := parseEndpoint(in); exitCode(err) != exitUsage {
			t.Errorf("parseEndpoint(%q): %v, want a usage error", in, err)
		}
	}
}

func TestSrcString(t *testing.T) {
	cases := []struct {
		a    net.Addr
		want string
		ok   bool
	}{
		{nil, "", false},
		{(*net.UnixAddr)(nil), "", false},
		{&net.UnixAddr{Net: "unixgram"}, "", false},
		{&net.UnixAddr{Name: "/tmp/a", Net: "unixgram"}, "/tmp/a", true},
		{&net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9}, "127.0.0.1:9", true},
		{&net.UDPAddr{IP: net.IPv6loopback, Port: 9}, "[::1]:9", true},
		{wms.Addr{Name: `hio\a`}, `hio\a`, true},
		{memo.SourceAddr("x"), "x", true},
	}
	for _, c := range cases {
		got, ok := srcString(c.a)
		if got != c.want || ok != c.ok {
			t.Errorf("srcString(%#v) = %q, %v; want %q, %v", c.a, got, ok, c.want, c.ok)
		}
		// What src prints must parse back as an address of its transport.
		if e, err := parseEndpoint("udp:" + got); ok && c.a.Network() == "udp" && (err != nil || e.udp.Port != 9) {
			t.Errorf("udp:%s does not parse back: %v", got, err)
		}
	}
}

func TestWriteJSON(t *testing.T) {
	cases := []struct {
		m    memo.Memo
		want string
	}{
		{memo.Memo{Data: []byte("a <b> & \"c\"")}, `{"memo":"a <b> & \"c\"","src":null,"vid":null}`},
		{memo.Memo{Data: []byte{}}, `{"memo":"","src":null,"vid":null}`},
		{memo.Memo{Data: []byte{0xff, 0}, Src: &net.UnixAddr{Name: "/s"}, VID: "Bxyz"}, `{"memo_b64":"/wA=","src":"/s","vid":"Bxyz"}`},
	}
	for _, c := range cases {
		var b bytes.Buffer
		if err := writeJSON(&b, c.m); err != nil || b.String() != c.want+"\n" {
			t.Errorf("writeJSON(%v) = %q, %v; want %q", c.m, b.String(), err, c.want)
		}
	}
}

func TestByteSize(t *testing.T) {
	for in, want := range map[string]int{"0": 0, "1500": 1500, "64Ki": 65536, "1MiB": 1 << 20, "4Mi": 4 << 20, "1k": 1000, "2M": 2e6, "10B": 10} {
		var b byteSize
		if err := b.Set(in); err != nil || int(b) != want {
			t.Errorf("Set(%q) = %d, %v; want %d", in, b, err, want)
		}
	}
	for _, in := range []string{"", "x", "-1", "1.5M", "99999999999"} {
		var b byteSize
		if err := b.Set(in); err == nil {
			t.Errorf("Set(%q) accepted: %d", in, b)
		}
	}
}

func TestExitCode(t *testing.T) {
	cases := []struct {
		err  error
		want int
	}{
		{nil, 0},
		{fmt.Errorf("x: %w", transport.ErrNoDestination), 1},
		{fmt.Errorf("x: %w", transport.ErrAddrInUse), 1},
		{fmt.Errorf("x: %w", memo.ErrMemoTooLarge), 2},
		{fmt.Errorf("x: %w", memo.ErrGramSize), 2},
		{fmt.Errorf("x: %w", memo.ErrBadKey), 2},
		{fmt.Errorf("x: %w", transport.ErrUnsupported), 2},
		{usageErrorf("bad"), 2},
		{timeoutError("late"), 3},
		{fmt.Errorf("recv: %w", errInterrupted), 130},
		{errors.New("disk on fire"), 1},
	}
	for _, c := range cases {
		if got := exitCode(c.err); got != c.want {
			t.Errorf("exitCode(%v) = %d, want %d", c.err, got, c.want)
		}
	}
	if got := message(errors.New("one\ntwo  three\n")); got != "memogram: one two three" {
		t.Errorf("message = %q", got)
	}
}

// TestHelp: every command answers --help and -h with its flags and
// examples on stdout, and exits 0.
func TestHelp(t *testing.T) {
	for _, c := range commands() {
		for _, flag := range []string{"--help", "-h"} {
			var out, errb bytes.Buffer
			code := run(context.Background(), []string{c.name, flag}, nil, &out, &errb)
			if code != 0 || errb.Len() != 0 || !strings.Contains(out.String(), "Usage: memogram "+c.name) ||
				!strings.Contains(out.String(), "Examples:\n  memogram "+c.name) && !strings.Contains(out.String(), "Examples:\n  go run") {
				t.Errorf("%s %s: exit %d\nstdout: %s\nstderr: %s", c.name, flag, code, out.String(), errb.String())
			}
		}
	}
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}, {"help", "send"}} {
		var out bytes.Buffer
		if code := run(context.Background(), args, nil, &out, io.Discard); code != 0 || !strings.Contains(out.String(), "Usage: memogram") {
			t.Errorf("%v: exit %d, stdout %q", args, code, out.String())
		}
	}
}

func TestVersion(t *testing.T) {
	var out bytes.Buffer
	if code := run(context.Background(), []string{"version"}, nil, &out, io.Discard); code != 0 ||
		!strings.HasPrefix(out.String(), "memogram ") || !strings.Contains(out.String(), "hio 55b5ee5") {
		t.Errorf("version: exit %d: %q", code, out.String())
	}
}

func TestKey(t *testing.T) {
	var out bytes.Buffer
	if code := run(context.Background(), []string{"key", "--seed", testSeed, "--vid-code", "E"}, nil, &out, io.Discard); code != 0 {
		t.Fatalf("key: exit %d", code)
	}
	s := testSigner(t, memo.VIDE)
	if want := "trust " + s.VID() + "=" + s.QVK() + "\n"; !strings.HasSuffix(out.String(), want) {
		t.Errorf("key output %q lacks %q", out.String(), want)
	}
	// What key prints, recv --trust takes.
	if _, err := parseTrust([]string{s.VID() + "=" + s.QVK()}); err != nil {
		t.Error(err)
	}
}

// TestInterruptedInProcess: a cancelled context (what SIGINT does) ends
// recv with 130 and one line, on every OS.
func TestInterruptedInProcess(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var errb bytes.Buffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"recv", addrFor(t, defaultTransport(), "bob", false)}, nil, io.Discard, &errb)
	}()
	cancel()
	if code := <-done; code != exitInterrupted || errb.String() != "memogram: interrupted\n" {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}
