package e2e

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/memogram/memogram/memo"
	"github.com/memogram/memogram/transport"
	"github.com/memogram/memogram/udp"
	"github.com/memogram/memogram/uxd"
)

// Faults: the receiver reopened under a memo, a sender killed inside one,
// the destination gone between sends, a wire log that cannot be written.

// halfIdle is the receivers' IdleTimeout in these tests: short, so that a
// half memo is evicted within the test, and far longer than the gaps
// between the grams of a memo on loopback.
const halfIdle = 300 * time.Millisecond

// halfGrams cuts data into grams of at most 1,000 bytes, so that a memo of a
// few KiB has several.
func halfGrams(t testing.TB, data []byte, source string) [][]byte {
	t.Helper()
	r, err := memo.NewRenderer(memo.RenderConfig{GramSize: 1000, Source: source})
	if err != nil {
		t.Fatal(err)
	}
	grams, err := r.Render(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(grams) < 4 {
		t.Fatalf("%d grams; the test needs a memo of several", len(grams))
	}
	return grams
}

// writeGrams sends grams raw, past any Memoer, as a sender that stops
// halfway would.
func writeGrams(t testing.TB, p net.PacketConn, dst net.Addr, grams [][]byte) {
	t.Helper()
	for _, g := range grams {
		if _, err := p.WriteTo(g, dst); err != nil {
			t.Fatal(err)
		}
	}
}

// waitStats waits until ok holds for the receiver's counters.
func waitStats(t testing.TB, m *memo.Memoer, what string, ok func(memo.ReceiveStats) bool) {
	t.Helper()
	for end := time.Now().Add(patience); time.Now().Before(end); time.Sleep(time.Millisecond) {
		if ok(m.Stats().Receive) {
			return
		}
	}
	t.Fatalf("never %s: %+v", what, m.Stats().Receive)
}

// The receiving peer is reopened (a new socket at the same path) under its
// Memoer while a memo is half received. What the Memoer had read survives,
// since its reassembly is not the socket's: the half memo is completed when
// the sender's other grams come after the reopen, and it is evicted after
// IdleTimeout, counted in EvictedIdle, when the sender gives up on it. Either
// way the sender's later memos arrive. (Grams still queued in the old socket
// die with it; TestUXDReopenReceiverMidStream covers that loss.)
//
// Idle memos are expired when the next gram arrives (a blocking Receive has
// no timer), so the eviction is counted on the later memo.
func TestUXDReceiverReopenedMidMemo(t *testing.T) {
	for _, abandon := range []bool{false, true} {
		name := map[bool]string{false: "completed", true: "evicted"}[abandon]
		t.Run(name, func(t *testing.T) {
			dir := uxdDir(t)
			ap := openUXD(t, uxd.Config{Path: filepath.Join(dir, "a.uxd")})
			bp := openUXD(t, uxd.Config{Path: filepath.Join(dir, "b.uxd")})
			a := newMemoer(t, ap, memo.Config{})
			// Only the abandoned memo is to time out: a stall of the
			// machine between the halves must not evict the other.
			idle := time.Duration(0) // memo.DefaultIdleTimeout
			if abandon {
				idle = halfIdle
			}
			b := newMemoer(t, bp, memo.Config{Receive: memo.ReceiveConfig{IdleTimeout: idle}})
			in := receiving(t, b)
			ctx := ctxFor(t)

			half := binaryPayload(1, 7500)
			grams := halfGrams(t, half, "")
			cut := len(grams) / 2
			writeGrams(t, ap, bp.LocalAddr(), grams[:cut])
			waitStats(t, b, "read the first half", func(s memo.ReceiveStats) bool { return s.Grams == uint64(cut) })
			if err := bp.Reopen(); err != nil {
				t.Fatal(err)
			}
			if abandon {
				time.Sleep(2 * halfIdle)
			} else {
				writeGrams(t, ap, bp.LocalAddr(), grams[cut:])
				checkMemo(t, in.next(t), half, ap.LocalAddr(), "")
			}
			later := textPayload(2, 3000)
			if err := a.Send(ctx, later, bp.LocalAddr()); err != nil {
				t.Fatal(err)
			}
			checkMemo(t, in.next(t), later, ap.LocalAddr(), "")
			in.quiet(t)
			s := b.Stats().Receive
			wantEvicted, wantMemos := uint64(0), uint64(2)
			if abandon {
				wantEvicted, wantMemos = 1, 1
			}
			if s.EvictedIdle != wantEvicted || s.Memos != wantMemos || s.EvictedPressure != 0 || s.Rejected != (memo.RejectStats{}) {
				t.Fatalf("receiver stats %+v; want %d evicted idle, %d memos, nothing rejected", s, wantEvicted, wantMemos)
			}
		})
	}
}

// childEnv names the destination of the child sender of
// TestUXDSenderKilledMidMemo; when it is set, the test binary is that child
// (TestMain).
const childEnv = "MEMOGRAM_FAULTS_CHILD_DST"

func TestMain(m *testing.M) {
	if dst := os.Getenv(childEnv); dst != "" {
		os.Exit(halfSender(dst, os.Getenv(childEnv+"_SRC")))
	}
	os.Exit(m.Run())
}

// halfSender is the child process: it binds src, sends the first half of a
// memo's grams to dst, says so on stdout and waits to be killed.
func halfSender(dst, src string) int {
	fail := func(err error) int { fmt.Fprintln(os.Stderr, "child:", err); return 2 }
	open := childPeers[os.Getenv(childEnv+"_NET")]
	if open == nil {
		return fail(fmt.Errorf("no transport %q", os.Getenv(childEnv+"_NET")))
	}
	p, dstAddr, source, err := open(src, dst)
	if err != nil {
		return fail(err)
	}
	r, err := memo.NewRenderer(memo.RenderConfig{GramSize: 1000, Source: source})
	if err != nil {
		return fail(err)
	}
	grams, err := r.Render(binaryPayload(3, 7500))
	if err != nil {
		return fail(err)
	}
	cut := len(grams) / 2
	for _, g := range grams[:cut] {
		if _, err := p.WriteTo(g, dstAddr); err != nil {
			return fail(err)
		}
	}
	fmt.Printf("sent %d of %d\n", cut, len(grams))
	// Wait for the kill; the parent closing stdin means it died first.
	_, _ = io.Copy(io.Discard, os.Stdin)
	return 3
}

// childPeers open the child's peer by transport name: the peer, the
// destination's address and the source to carry in zeroth grams ("" when
// the transport has addresses of its own).
var childPeers = map[string]func(src, dst string) (net.PacketConn, net.Addr, string, error){
	"uxd": func(src, dst string) (net.PacketConn, net.Addr, string, error) {
		p, err := uxd.Open(uxd.Config{Path: src})
		return p, &net.UnixAddr{Name: dst, Net: "unixgram"}, "", err
	},
}

// startHalfSender runs the test binary as a child sender over transport
// network from src to dst and returns once it has sent half a memo, with
// the number of grams sent.
func startHalfSender(t *testing.T, network, src, dst string) (*exec.Cmd, int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+dst, childEnv+"_SRC="+src, childEnv+"_NET="+network)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	var sent, total int
	if _, serr := fmt.Sscanf(line, "sent %d of %d", &sent, &total); err != nil || serr != nil {
		t.Fatalf("child sender said %q (%v, %v)", line, err, serr)
	}
	if sent <= 0 || sent >= total {
		t.Fatalf("child sent %d of %d grams; want a half memo", sent, total)
	}
	return cmd, sent
}

// killSender kills the child with SIGKILL (TerminateProcess on Windows):
// nothing of it runs after, no deferred close, no last gram.
func killSender(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Success() {
		t.Fatalf("child sender ended with %v; want it killed", err)
	}
}

// A sender process is killed after half a memo's grams. The receiver holds
// the half memo until IdleTimeout, then evicts it and counts it in
// EvictedIdle (on the next gram that arrives: a blocking Receive has no
// timer); a valid memo from another sender after that arrives, and the half
// memo is never delivered.
func TestUXDSenderKilledMidMemo(t *testing.T) {
	dir := uxdDir(t)
	bp := openUXD(t, uxd.Config{Path: filepath.Join(dir, "b.uxd")})
	b := newMemoer(t, bp, memo.Config{Receive: memo.ReceiveConfig{IdleTimeout: halfIdle}})
	in := receiving(t, b)
	cmd, sent := startHalfSender(t, "uxd", filepath.Join(dir, "child.uxd"), bp.LocalAddr().String())
	waitStats(t, b, "read the child's grams", func(s memo.ReceiveStats) bool { return s.Grams == uint64(sent) })
	killSender(t, cmd)
	time.Sleep(2 * halfIdle)
	if s := b.Stats().Receive; s.EvictedIdle != 0 || s.Memos != 0 {
		t.Fatalf("before any later gram: %+v; want the half memo held, not delivered", s)
	}

	cp := openUXD(t, uxd.Config{Path: filepath.Join(dir, "c.uxd")})
	c := newMemoer(t, cp, memo.Config{})
	valid := textPayload(4, 5000)
	if err := c.Send(ctxFor(t), valid, bp.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	checkMemo(t, in.next(t), valid, cp.LocalAddr(), "")
	in.quiet(t)
	s := b.Stats().Receive
	if s.EvictedIdle != 1 || s.Memos != 1 || s.EvictedPressure != 0 || s.Rejected != (memo.RejectStats{}) {
		t.Fatalf("receiver stats %+v; want the half memo evicted idle, one memo delivered", s)
	}
	// The killed child's socket file stays behind; sending to it is refused
	// as to any path nobody is bound to.
	err := c.Send(ctxFor(t), valid, &net.UnixAddr{Name: filepath.Join(dir, "child.uxd"), Net: "unixgram"})
	if !errors.Is(err, transport.ErrNoDestination) {
		t.Fatalf("send to the killed child's socket: %v; want transport.ErrNoDestination", err)
	}
}

// checkNoDestination checks the error of a send to a missing receiver: it
// names the cause (transport.ErrNoDestination and the errno), and it is a
// *net.OpError of the write to dst.
func checkNoDestination(t *testing.T, err error, dst net.Addr, errno syscall.Errno) {
	t.Helper()
	if !errors.Is(err, transport.ErrNoDestination) || !errors.Is(err, errno) {
		t.Fatalf("send to a missing receiver: %v; want transport.ErrNoDestination and %v", err, errno)
	}
	var op *net.OpError
	if !errors.As(err, &op) || op.Op != "write" || op.Addr == nil || op.Addr.String() != dst.String() {
		t.Fatalf("send to a missing receiver: %#v; want a *net.OpError of write to %v", err, dst)
	}
	if !strings.Contains(err.Error(), dst.String()) {
		t.Fatalf("error %q does not name the destination %v", err, dst)
	}
}

// The destination disappears between two memos: its socket file removed
// under it, its peer closed, or its file left behind by a receiver that
// died. Send says so at once (transport.ErrNoDestination with the errno, in
// a *net.OpError naming the path), and once a receiver is bound at the path
// again the same sender's memos arrive.
func TestUXDDestinationRemovedBetweenSends(t *testing.T) {
	for _, c := range []struct {
		name  string
		errno syscall.Errno
		// remove takes the receiver away; back binds one at the same
		// path again and returns its Memoer.
		remove func(t *testing.T, bp *uxd.Peer, b *memo.Memoer)
		back   func(t *testing.T, bp *uxd.Peer, b *memo.Memoer) (*memo.Memoer, *uxd.Peer)
	}{
		{"socket-file-removed", syscall.ENOENT,
			func(t *testing.T, bp *uxd.Peer, _ *memo.Memoer) {
				if err := os.Remove(bp.LocalAddr().String()); err != nil {
					t.Fatal(err)
				}
			},
			func(t *testing.T, bp *uxd.Peer, b *memo.Memoer) (*memo.Memoer, *uxd.Peer) {
				if err := bp.Reopen(); err != nil {
					t.Fatal(err)
				}
				return b, bp
			}},
		{"receiver-closed", syscall.ENOENT,
			func(t *testing.T, _ *uxd.Peer, b *memo.Memoer) {
				if err := b.Close(); err != nil {
					t.Fatal(err)
				}
			},
			func(t *testing.T, bp *uxd.Peer, _ *memo.Memoer) (*memo.Memoer, *uxd.Peer) {
				np := openUXD(t, uxd.Config{Path: bp.LocalAddr().String()})
				return newMemoer(t, np, memo.Config{}), np
			}},
		{"stale-socket-file", syscall.ECONNREFUSED,
			func(t *testing.T, bp *uxd.Peer, b *memo.Memoer) {
				path := bp.LocalAddr().String()
				if err := b.Close(); err != nil {
					t.Fatal(err)
				}
				// A socket file with nobody bound, as a killed receiver leaves:
				// closing a datagram socket does not remove its file.
				u, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
				if err != nil {
					t.Fatal(err)
				}
				u.Close()
				if _, err := os.Stat(path); err != nil {
					t.Fatal(err)
				}
			},
			func(t *testing.T, bp *uxd.Peer, _ *memo.Memoer) (*memo.Memoer, *uxd.Peer) {
				// Open replaces a stale socket file.
				np := openUXD(t, uxd.Config{Path: bp.LocalAddr().String()})
				return newMemoer(t, np, memo.Config{}), np
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, b, ap, bp := uxdPair(t, memo.Config{}, memo.Config{})
			ctx := ctxFor(t)
			in := receiving(t, b)
			first := textPayload(5, 4000)
			if err := a.Send(ctx, first, bp.LocalAddr()); err != nil {
				t.Fatal(err)
			}
			checkMemo(t, in.next(t), first, ap.LocalAddr(), "")
			if c.name != "socket-file-removed" {
				in.stop()
			}
			c.remove(t, bp, b)
			for i := range 3 { // it stays an error, and the sender stays usable
				err := a.Send(ctx, binaryPayload(uint64(i), 5000), bp.LocalAddr())
				checkNoDestination(t, err, bp.LocalAddr(), c.errno)
			}
			nb, np := c.back(t, bp, b)
			if nb != b {
				in = receiving(t, nb)
			}
			again := binaryPayload(6, 70000) // several grams
			if err := a.Send(ctx, again, np.LocalAddr()); err != nil {
				t.Fatalf("send once the receiver is back: %v", err)
			}
			checkMemo(t, in.next(t), again, ap.LocalAddr(), "")
			in.quiet(t)
			checkNoRejects(t, nb)
		})
	}
}

// failingWriter is a wire log sink that fails every write, as a full disk
// or a closed file does, and counts the attempts.
type failingWriter struct {
	calls int
	err   error
}

func (w *failingWriter) Write([]byte) (int, error) { w.calls++; return 0, w.err }

// A wire log that cannot be written. CreateWireLog surfaces what stops it
// from creating its directory or files, as the *fs.PathError of the
// operation. Once a log exists, its write errors never fail a send or a
// receive (a debug log must not fail the transport, docs/protocol.md §12):
// they carry on, and WireLog.Err reports the first error and how many
// records were lost.
func TestWireLogUnwritable(t *testing.T) {
	t.Run("create-under-a-file", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "not-a-dir")
		if err := os.WriteFile(file, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		for _, temp := range []bool{false, true} {
			l, err := transport.CreateWireLog(filepath.Join(file, "logs"), "peer", true, temp)
			var pe *fs.PathError
			if l != nil || !errors.As(err, &pe) || !strings.HasPrefix(pe.Path, file) {
				t.Fatalf("CreateWireLog under a file (temp %v): %v, %v; want a *fs.PathError naming the path", temp, l, err)
			}
		}
	})
	t.Run("create-in-read-only-dir", func(t *testing.T) {
		if runtime.GOOS == "windows" || os.Geteuid() == 0 {
			t.Skip("permission bits do not stop root, and Windows ignores a directory's read-only bit")
		}
		dir := filepath.Join(t.TempDir(), "ro")
		if err := os.Mkdir(dir, 0o500); err != nil {
			t.Fatal(err)
		}
		for _, samed := range []bool{true, false} {
			l, err := transport.CreateWireLog(dir, "peer", samed, false)
			if l != nil || !errors.Is(err, fs.ErrPermission) {
				t.Fatalf("CreateWireLog in a read-only directory (samed %v): %v, %v; want fs.ErrPermission", samed, l, err)
			}
		}
		if names, _ := os.ReadDir(dir); len(names) != 0 {
			t.Fatalf("a failed CreateWireLog left %v", names)
		}
	})
	t.Run("write-fails", func(t *testing.T) {
		w := &failingWriter{err: syscall.ENOSPC}
		closed, err := os.Create(filepath.Join(t.TempDir(), "closed.log"))
		if err != nil {
			t.Fatal(err)
		}
		closed.Close() // writes now fail with os.ErrClosed
		// Over UDP, so that this runs on every OS.
		aLog, bLog := transport.NewWireLog(w), transport.NewWireLog(closed)
		ap := openUDP(t, udp.Config{Addr: "127.0.0.1:0", WireLog: aLog})
		bp := openUDP(t, udp.Config{Addr: "127.0.0.1:0", WireLog: bLog})
		a, b := newMemoer(t, ap, memo.Config{}), newMemoer(t, bp, memo.Config{})
		in := receiving(t, b)
		data := binaryPayload(7, 3000)
		if err := a.Send(ctxFor(t), data, bp.LocalAddr()); err != nil {
			t.Fatalf("send with a failing wire log: %v", err)
		}
		checkMemo(t, in.next(t), data, ap.LocalAddr(), "")
		if w.calls == 0 {
			t.Fatal("the wire log was never written to")
		}
		if fi, err := os.Stat(closed.Name()); err != nil || fi.Size() != 0 {
			t.Fatalf("closed log file: %v, %v", fi, err)
		}
		if n, err := aLog.Err(); n != uint64(w.calls) || !errors.Is(err, syscall.ENOSPC) {
			t.Fatalf("sender's log: Err() = %d, %v; want %d, ENOSPC", n, err, w.calls)
		}
		if n, err := bLog.Err(); n == 0 || !errors.Is(err, os.ErrClosed) {
			t.Fatalf("receiver's log: Err() = %d, %v; want os.ErrClosed", n, err)
		}
		checkNoRejects(t, b)
	})
}

// The peer writes every datagram to a log through the same path as above;
// a log that works shows the records, so that write-fails is not passing
// only because nothing is logged.
func TestWireLogWritesRecords(t *testing.T) {
	var buf bytes.Buffer
	ap := openUDP(t, udp.Config{Addr: "127.0.0.1:0", WireLog: transport.NewWireLog(&buf)})
	bp := openUDP(t, udp.Config{Addr: "127.0.0.1:0"})
	a, b := newMemoer(t, ap, memo.Config{}), newMemoer(t, bp, memo.Config{})
	in := receiving(t, b)
	if err := a.Send(ctxFor(t), []byte("logged"), bp.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	in.next(t)
	want := "\nTx " + transport.Who(bp.LocalAddr()) + ":\n"
	if !strings.HasPrefix(buf.String(), want) || !strings.HasSuffix(buf.String(), "logged\n") {
		t.Fatalf("wire log %q; want a Tx record to %v", buf.String(), bp.LocalAddr())
	}
}
