package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/memogram/memogram/memo"
	"github.com/memogram/memogram/wms"
)

// Seed of the test signer: any 32 bytes do.
const testSeed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"

func testSigner(t *testing.T, code memo.VIDCode) *memo.Signer {
	t.Helper()
	s, err := memo.NewSignerHex(testSeed, code)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// parseJSONLines checks the --json contract: every stdout line is one JSON
// object with exactly the keys memo (or memo_b64), src and vid.
func parseJSONLines(t *testing.T, stdout string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimRight(stdout, "\n"), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("stdout line is not a JSON object: %q: %v", line, err)
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if !reflect.DeepEqual(keys, []string{"memo", "src", "vid"}) && !reflect.DeepEqual(keys, []string{"memo_b64", "src", "vid"}) {
			t.Fatalf("keys %v, want memo or memo_b64, src, vid: %q", keys, line)
		}
		out = append(out, m)
	}
	return out
}

// content is a received memo's bytes, from memo or memo_b64.
func content(t *testing.T, m map[string]any) string {
	t.Helper()
	if s, ok := m["memo"].(string); ok {
		return s
	}
	b, err := base64.StdEncoding.DecodeString(m["memo_b64"].(string))
	if err != nil {
		t.Fatalf("memo_b64: %v", err)
	}
	return string(b)
}

// TestSendRecv runs recv and several send processes over each transport of
// this OS: text and binary grams, a memo from a file that is not UTF-8, one
// from stdin, signed memos with B, D and E vids, and a reply to the src the
// receiver reported.
func TestSendRecv(t *testing.T) {
	for _, kind := range localTransports() {
		t.Run(kind, func(t *testing.T) { testSendRecv(t, kind) })
	}
}

func testSendRecv(t *testing.T, kind string) {
	sd, se := testSigner(t, memo.VIDD), testSigner(t, memo.VIDE)
	binPath := filepath.Join(t.TempDir(), "memo.bin")
	binary := []byte{0xff, 0xfe, 0x00, 'm', 'g', 0x80}
	if err := os.WriteFile(binPath, binary, 0o600); err != nil {
		t.Fatal(err)
	}
	unicode := "grüße, 世界 🌍"
	want := map[string]any{ // content -> vid (nil when unsigned)
		"hello":             nil,
		unicode:             nil,
		string(binary):      nil,
		"from stdin\nline2": nil,
		"signed B":          testSigner(t, memo.VIDB).VID(),
		"signed D curt":     sd.VID(),
		"signed E":          se.VID(),
	}

	rx := startRecv(t, addrFor(t, kind, "bob", false), "--count", "7", "--json",
		"--trust", sd.VID()+"="+sd.QVK(), "--trust", se.VID()+"="+se.QVK())
	to := rx.addr
	from := addrFor(t, kind, "alice", true)
	mustRun(t, nil, "send", "--from", from, "--to", to, "hello", unicode)
	mustRun(t, nil, "send", "--from", from, "--to", to, "--curt", "--file", binPath)
	mustRun(t, []byte("from stdin\nline2"), "send", "--from", from, "--to", to, "-")
	mustRun(t, nil, "send", "--from", from, "--to", to, "--sign-seed", testSeed, "signed B")
	mustRun(t, nil, "send", "--from", from, "--to", to, "--sign-seed", testSeed, "--vid-code", "D", "--curt", "signed D curt")
	mustRun(t, nil, "send", "--to", to, "--from", from, "--sign-seed", testSeed, "--vid-code", "E", "signed E")
	r := rx.wait(t)
	if r.code != 0 {
		t.Fatalf("recv: %v", r)
	}
	got := parseJSONLines(t, r.stdout)
	if len(got) != len(want) {
		t.Fatalf("got %d memos, want %d:\n%s", len(got), len(want), r.stdout)
	}
	_, fromRest, _ := strings.Cut(from, ":")
	for _, m := range got {
		c := content(t, m)
		vid, ok := want[c]
		if !ok {
			t.Errorf("unexpected memo %q", c)
			continue
		}
		delete(want, c)
		if m["vid"] != vid {
			t.Errorf("memo %q: vid %v, want %v", c, m["vid"], vid)
		}
		if m["src"] != fromRest {
			t.Errorf("memo %q: src %v, want %q", c, m["src"], fromRest)
		}
		if utf8 := c != string(binary); utf8 != (m["memo"] != nil) {
			t.Errorf("memo %q: memo/memo_b64 chosen wrongly: %v", c, m)
		}
	}

	// src answers the sender: bind it again and send to <transport>:<src>.
	src := got[0]["src"].(string)
	back := startRecv(t, kind+":"+src, "--count", "1", "--json")
	carol := addrFor(t, kind, "carol", true)
	mustRun(t, nil, "send", "--from", carol, "--to", kind+":"+src, "a reply")
	r = back.wait(t)
	if r.code != 0 {
		t.Fatalf("recv at the src: %v", r)
	}
	reply := parseJSONLines(t, r.stdout)
	_, carolRest, _ := strings.Cut(carol, ":")
	if len(reply) != 1 || reply[0]["memo"] != "a reply" || reply[0]["src"] != carolRest || reply[0]["vid"] != nil {
		t.Errorf("reply: got %v, want memo \"a reply\" from %q, unsigned", reply, carolRest)
	}
}

// TestSignedOnly: --signed drops the unsigned memo that comes first.
func TestSignedOnly(t *testing.T) {
	kind := defaultTransport()
	rx := startRecv(t, addrFor(t, kind, "bob", false), "--signed", "--count", "1", "--json")
	mustRun(t, nil, "send", "--to", rx.addr, "unsigned, dropped")
	mustRun(t, nil, "send", "--to", rx.addr, "--sign-seed", testSeed, "signed, kept")
	r := rx.wait(t)
	got := parseJSONLines(t, r.stdout)
	if r.code != 0 || len(got) != 1 || got[0]["memo"] != "signed, kept" || got[0]["vid"] != testSigner(t, memo.VIDB).VID() {
		t.Fatalf("got %v", r)
	}
}

// TestUntrustedDropped: a D vid without --trust cannot be verified, so the
// memo is dropped; the next, B-signed, arrives.
func TestUntrustedDropped(t *testing.T) {
	kind := defaultTransport()
	rx := startRecv(t, addrFor(t, kind, "bob", false), "--count", "1", "--json")
	mustRun(t, nil, "send", "--to", rx.addr, "--sign-seed", testSeed, "--vid-code", "D", "untrusted")
	mustRun(t, nil, "send", "--to", rx.addr, "--sign-seed", testSeed, "self-verifying")
	r := rx.wait(t)
	got := parseJSONLines(t, r.stdout)
	if r.code != 0 || len(got) != 1 || got[0]["memo"] != "self-verifying" {
		t.Fatalf("got %v", r)
	}
}

// TestRecvText checks the readable line: sender with its prefix (ready for
// --to), signer, size and the quoted text.
func TestRecvText(t *testing.T) {
	kind := defaultTransport()
	rx := startRecv(t, addrFor(t, kind, "bob", false), "--count", "2")
	from := addrFor(t, kind, "alice", true)
	mustRun(t, nil, "send", "--from", from, "--to", rx.addr, "--sign-seed", testSeed, "two\nlines")
	mustRun(t, []byte{0xff, 0x00}, "send", "--from", from, "--to", rx.addr, "-")
	r := rx.wait(t)
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	if r.code != 0 || len(lines) != 2 {
		t.Fatalf("got %v", r)
	}
	vid := testSigner(t, memo.VIDB).VID()
	if want := "from " + from + ", verified vid " + vid + `, 9 bytes: "two\nlines"`; lines[0] != want {
		t.Errorf("line 1:\n got %s\nwant %s", lines[0], want)
	}
	if want := "from " + from + ", unsigned, 2 bytes: binary, sha256 "; !strings.HasPrefix(lines[1], want) {
		t.Errorf("line 2:\n got %s\nwant %s...", lines[1], want)
	}
}

// TestUDPv6: IPv6 addresses are written udp:[::1]:PORT, and src comes back
// in the same form, ready for --to.
func TestUDPv6(t *testing.T) {
	c, err := net.ListenPacket("udp6", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	port := c.LocalAddr().(*net.UDPAddr).Port
	c.Close()
	rx := startRecv(t, "udp:[::1]:0", "--count", "1", "--json")
	from := fmt.Sprintf("udp:[::1]:%d", port)
	mustRun(t, nil, "send", "--from", from, "--to", rx.addr, "over IPv6")
	r := rx.wait(t)
	got := parseJSONLines(t, r.stdout)
	if r.code != 0 || len(got) != 1 || got[0]["memo"] != "over IPv6" || "udp:"+got[0]["src"].(string) != from {
		t.Fatalf("got %v", r)
	}
}

// TestSrcNull: a memo whose sender has no address (an unbound unix socket;
// on Windows, mailslot grams that carry no source, as hio's would) reports
// src null.
func TestSrcNull(t *testing.T) {
	kind := defaultTransport()
	rx := startRecv(t, addrFor(t, kind, "bob", false), "--count", "1", "--json")
	r, err := memo.NewRenderer(memo.RenderConfig{})
	if err != nil {
		t.Fatal(err)
	}
	grams, err := r.Render([]byte("anonymous"))
	if err != nil {
		t.Fatal(err)
	}
	dst, err := parseEndpoint(rx.addr)
	if err != nil {
		t.Fatal(err)
	}
	var send func([]byte) error
	if isWindows {
		p, err := wms.Open(wms.Config{Name: slotName("anon")})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		send = func(g []byte) error { _, err := p.WriteTo(g, dst.addr()); return err }
	} else {
		// Dialing with no local address leaves the socket unbound.
		c, err := net.DialUnix("unixgram", nil, dst.addr().(*net.UnixAddr))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		send = func(g []byte) error { _, err := c.Write(g); return err }
	}
	for _, g := range grams {
		if err := send(g); err != nil {
			t.Fatal(err)
		}
	}
	res := rx.wait(t)
	got := parseJSONLines(t, res.stdout)
	if res.code != 0 || len(got) != 1 || got[0]["memo"] != "anonymous" || got[0]["src"] != nil {
		t.Fatalf("got %v", res)
	}
}
