package memo

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The memory test runs the receiver in a child process (this test binary
// re-executed) so that its peak resident size, VmHWM, is the receiver's
// alone. The parent attacks it over a unix datagram socket, then sends a
// valid memo and checks that it arrives whole.
const (
	rssChildEnv  = "MEMOGRAM_RSS_CHILD"
	rssHoldCap   = 64 << 20
	rssIdle      = 700 * time.Millisecond
	rssBombGrams = 100_000
	rssHalfMemos = 1_000_000
)

// rssReport is what the child says about each memo it received.
type rssReport struct {
	Sum   string       `json:"sum"`
	Stats ReceiveStats `json:"stats"`
	Held  int          `json:"held"`
}

func TestReassemblyPeakRSSWithinHoldCap(t *testing.T) {
	if path := os.Getenv(rssChildEnv); path != "" {
		rssChild(path)
		return
	}
	if testing.Short() {
		t.Skip("sends over a million datagrams; not in -short")
	}
	if raceEnabled {
		t.Skip("the race detector's shadow memory would dominate the resident size")
	}
	dir := t.TempDir()
	rxPath := filepath.Join(dir, "rx")
	cmd := exec.Command(os.Args[0], "-test.run=^TestReassemblyPeakRSSWithinHoldCap$", "-test.timeout=600s")
	cmd.Env = append(os.Environ(), rssChildEnv+"="+rxPath)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if l, ok := strings.CutPrefix(sc.Text(), "rsschild "); ok {
				lines <- l
			}
		}
		close(lines)
	}()
	next := func() string {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("receiver process ended early")
			}
			return l
		case <-time.After(300 * time.Second):
			t.Fatal("receiver process says nothing")
		}
		return ""
	}
	if l := next(); l != "ready" {
		t.Fatalf("child: %q", l)
	}
	tx, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: filepath.Join(dir, "tx"), Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	dst := &net.UnixAddr{Name: rxPath, Net: "unixgram"}
	send := func(g []byte) {
		if _, err := tx.WriteTo(g, dst); err != nil {
			t.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(13, 13))
	mid := func() MID {
		var raw [16]byte
		for i := range raw {
			raw[i] = byte(rng.Uint32())
		}
		return NewMID(raw)
	}
	valid := func(phase string) ReceiveStats {
		memo := make([]byte, 300<<10)
		for i := range memo {
			memo[i] = byte(rng.Uint32())
		}
		r, err := NewRenderer(RenderConfig{Form: Binary, GramSize: 16 << 10})
		if err != nil {
			t.Fatal(err)
		}
		grams, err := r.Render(memo)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range grams {
			send(g)
		}
		var rep rssReport
		if err := json.Unmarshal([]byte(next()), &rep); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(memo)
		if rep.Sum != hex.EncodeToString(sum[:]) {
			t.Fatalf("after %s: received memo differs from the one sent", phase)
		}
		t.Logf("after %s: held %d bytes; %+v", phase, rep.Held, rep.Stats)
		return rep.Stats
	}

	// Proven halves: memos given a little over half their grams, enough
	// to be moved into buffers of their own (flat.go), under new mids until
	// far more than the cap was sent.
	const provenMemos, provenGrams = 8_000, 20
	body := make([]byte, 1000)
	for range provenMemos {
		m := mid()
		send(bombGram(nil, m, provenGrams, body))
		for gn := 1; gn <= provenGrams/2; gn++ {
			send(laterGram(nil, m, uint32(gn), body))
		}
	}
	// As many go in place as their share of the cap allows (flat.go); the
	// rest stay in the arena. First, so that the floods below fill the
	// arena while in-place buffers (and their garbage) are still about.
	st := valid("proven half memos")
	// Evicted for pressure, or as idle where the receiver fell behind the
	// sender (a loaded machine); either way not held.
	if st.InPlace < 2 || st.EvictedPressure+st.EvictedIdle == 0 {
		t.Errorf("proven halves: %d in place, %d evicted: the phase tests neither", st.InPlace, st.EvictedPressure+st.EvictedIdle)
	}

	// A bomb: zeroth grams that claim the largest count a receiver takes,
	// each under a new mid.
	for range rssBombGrams {
		send(bombGram(nil, mid(), DefaultMaxGramCount, body))
	}
	// Memos are evicted for pressure or, where the sender is slow, as
	// idle; together they are all but what fits under the cap.
	evicted := func(st ReceiveStats) uint64 { return st.EvictedPressure + st.EvictedIdle }
	prev := evicted(st)
	st = valid("zeroth-gram bomb")
	if evicted(st)-prev < rssBombGrams-uint64(rssHoldCap/chunkSize) {
		t.Errorf("bomb: %d evicted, want about %d", evicted(st)-prev, rssBombGrams)
	}
	prev = evicted(st)

	// Half memos: the first of two grams, each under a new mid.
	body = body[:100]
	for range rssHalfMemos {
		send(bombGram(nil, mid(), 2, body))
	}
	st = valid("half memos")
	if evicted(st)-prev < rssHalfMemos-uint64(rssHoldCap/chunkSize) {
		t.Errorf("half memos: %d evicted, want about %d", evicted(st)-prev, rssHalfMemos)
	}
	prev = st.EvictedPressure

	// Slow drip: many large memos, each fed a gram at a time in turn, so
	// that none goes idle and all together pass the hold cap.
	const dripMemos, dripGrams = 256, 400
	mids := make([]MID, dripMemos)
	body = body[:1000]
	for i := range mids {
		mids[i] = mid()
		send(bombGram(nil, mids[i], DefaultMaxGramCount, body))
	}
	for gn := 1; gn < dripGrams; gn++ {
		for _, m := range mids {
			send(laterGram(nil, m, uint32(gn), body))
		}
	}
	st = valid("slow drip")
	if st.EvictedPressure == prev {
		t.Error("slow drip: nothing evicted for pressure")
	}
	// The sender of the last drip memos is gone: once idle, they are
	// evicted and counted, and what they held is given back.
	for range dripMemos / 2 {
		send(bombGram(nil, mid(), DefaultMaxGramCount, body))
	}
	time.Sleep(2 * rssIdle)
	st = valid("idle partial memos")
	if st.EvictedIdle == 0 {
		t.Error("no memo evicted as idle")
	}

	send(bombGram(nil, mid(), 1, []byte("quit")))
	fields := strings.Fields(next())
	if len(fields) != 6 || fields[0] != "hwm" {
		t.Fatalf("child: %q", fields)
	}
	hwm, _ := strconv.Atoi(fields[1])
	base, _ := strconv.Atoi(fields[3])
	after, _ := strconv.Atoi(fields[5])
	limit := (rssHoldCap*5/4 + 32<<20) >> 10
	t.Logf("receiver VmHWM %d KiB (limit %d KiB, hold cap %d KiB); VmRSS %d KiB at start, %d KiB after the attack",
		hwm, limit, rssHoldCap>>10, base, after)
	if hwm > limit {
		t.Errorf("receiver peak RSS %d KiB exceeds 1.25 × hold cap + 32 MiB = %d KiB", hwm, limit)
	}
	if after > base+(rssHoldCap>>10)/2 {
		t.Errorf("receiver RSS %d KiB after the attack, %d KiB at start: memory not given back", after, base)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
}

// rssChild is the receiver process.
func rssChild(path string) {
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "rss child:", err)
		os.Exit(2)
	}
	conn, err := net.ListenPacket("unixgram", path)
	if err != nil {
		fail(err)
	}
	m, err := New(conn, Config{Receive: ReceiveConfig{
		MaxPendingBytes: rssHoldCap,
		MaxPending:      1 << 21, // the byte cap, not the count, binds
		IdleTimeout:     rssIdle,
	}})
	if err != nil {
		fail(err)
	}
	base := procStatus("VmRSS")
	fmt.Println("rsschild ready")
	for {
		memo, err := m.Receive(context.Background())
		if err != nil {
			fail(err)
		}
		if string(memo.Data) == "quit" {
			break
		}
		sum := sha256.Sum256(memo.Data)
		m.mu.Lock()
		held := m.rx.HeldBytes()
		m.mu.Unlock()
		b, _ := json.Marshal(rssReport{Sum: hex.EncodeToString(sum[:]), Stats: m.Stats().Receive, Held: held})
		fmt.Printf("rsschild %s\n", b)
		m.Recycle(memo.Data)
	}
	hwm := procStatus("VmHWM")
	m.Close()
	debug.FreeOSMemory()
	fmt.Printf("rsschild hwm %d base %d after %d\n", hwm, base, procStatus("VmRSS"))
	os.Exit(0)
}

// procStatus reads a field of /proc/self/status in KiB.
func procStatus(field string) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	return -1
}
