package e2e

// Running the real Python hio through hiopeer.py, a driver that sends and
// receives memos as a hio peer and prints JSON (docs/testing.md).

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/memogram/memogram/memo"
)

// hioMemo is one line of hiopeer's stdout (recv, send --await).
type hioMemo struct {
	Memo string  `json:"memo"`
	Src  *string `json:"src"` // nil: the sender's socket was not bound
	VID  *string `json:"vid"` // nil: unsigned memo
}

// hioRun is a finished hiopeer process.
type hioRun struct {
	Code   int              // 0 ok, 1 error, 2 usage, 3 timeout, 4 hio raised, 5 grams dropped or lost
	Memos  []hioMemo        // stdout
	Events []map[string]any // stderr, one {"event": ...} object per line
}

// event returns the first stderr event of this kind, or nil.
func (r hioRun) event(kind string) map[string]any {
	for _, e := range r.Events {
		if e["event"] == kind {
			return e
		}
	}
	return nil
}

// grams returns the datagrams of the tx-gram (or rx-gram) events, which
// --show-grams adds.
func (r hioRun) grams(t *testing.T, kind string) [][]byte {
	t.Helper()
	var out [][]byte
	for _, e := range r.Events {
		if e["event"] != kind {
			continue
		}
		h, _ := e["hex"].(string)
		g, err := hex.DecodeString(h)
		if err != nil {
			t.Fatalf("%s event: %v", kind, err)
		}
		out = append(out, g)
	}
	return out
}

type hioProc struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
	cancel         context.CancelFunc
}

// needHio skips the test where hio cannot run: on Windows (no Python under
// Wine), and where setup.sh was not eval'd, unless MEMOGRAM_REQUIRE_HIO is
// set (CI), when the missing set-up fails the test instead.
func needHio(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("hio interop runs on linux only: hio's peer is a unix datagram socket, and there is no Python under Wine")
	}
	if os.Getenv("HIO_PYTHONPATH") == "" || os.Getenv("HIOPEER") == "" {
		const msg = "hio interop needs the real hio: set HIO_PYTHONPATH (hio 55b5ee5 source) and HIOPEER (hiopeer.py); see docs/testing.md"
		if os.Getenv("MEMOGRAM_REQUIRE_HIO") != "" {
			t.Fatal(msg + " (MEMOGRAM_REQUIRE_HIO is set)")
		}
		t.Skip(msg)
	}
}

// startHio starts hiopeer.py with args. Every hiopeer bounds itself
// (--timeout); the context is a last resort against a hang.
func startHio(t *testing.T, args ...string) *hioProc {
	t.Helper()
	needHio(t)
	py := os.Getenv("HIO_PYTHON")
	if py == "" {
		py = "/usr/bin/python3"
	}
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	p := &hioProc{cancel: cancel}
	p.cmd = exec.CommandContext(ctx, py, append([]string{os.Getenv("HIOPEER")}, args...)...)
	p.cmd.Env = append(os.Environ(), "PYTHONPATH="+os.Getenv("HIO_PYTHONPATH"))
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	// Interrupt rather than kill, so that hiopeer removes its socket file.
	p.cmd.Cancel = func() error { return p.cmd.Process.Signal(os.Interrupt) }
	p.cmd.WaitDelay = 5 * time.Second
	if err := p.cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { // a test that failed early must not leave hiopeer running
		if p.cmd.ProcessState == nil {
			cancel()
			_ = p.cmd.Wait()
		}
	})
	return p
}

// wait waits for hiopeer to exit and decodes what it printed.
func (p *hioProc) wait(t *testing.T) hioRun {
	t.Helper()
	err := p.cmd.Wait()
	p.cancel()
	r := hioRun{}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.Code = ee.ExitCode()
	case err != nil:
		t.Fatalf("hiopeer: %v", err)
	}
	dec := json.NewDecoder(&p.stdout) // memo lines can be megabytes long
	for dec.More() {
		var m hioMemo
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("hiopeer stdout: %v", err)
		}
		r.Memos = append(r.Memos, m)
	}
	sc := bufio.NewScanner(&p.stderr)
	sc.Buffer(nil, 64<<20) // --show-grams events carry whole grams in hex
	for sc.Scan() {
		e := map[string]any{}
		if json.Unmarshal(sc.Bytes(), &e) != nil { // e.g. a Python traceback
			e = map[string]any{"event": "text", "text": sc.Text()}
		}
		r.Events = append(r.Events, e)
	}
	return r
}

func runHio(t *testing.T, args ...string) hioRun {
	t.Helper()
	return startHio(t, args...).wait(t)
}

// waitSocket waits until hiopeer recv has bound path.
func waitSocket(t *testing.T, path string) {
	t.Helper()
	for end := time.Now().Add(patience); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if fi, err := os.Stat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
			return
		}
	}
	t.Fatalf("nothing bound at %s", path)
}

// memoFile writes a memo for hiopeer's @file argument.
func memoFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return "@" + path
}

// checkHioMemo compares one memo hio printed with what was sent.
func checkHioMemo(t *testing.T, got hioMemo, want, src string, vid string) {
	t.Helper()
	if got.Memo != want {
		t.Fatalf("hio got a memo of %d bytes, want the %d sent (%.40q, want %.40q)", len(got.Memo), len(want), got.Memo, want)
	}
	if src == "" && got.Src != nil || src != "" && (got.Src == nil || *got.Src != src) {
		t.Fatalf("hio src %v, want %q", deref(got.Src), src)
	}
	if vid == "" && got.VID != nil || vid != "" && (got.VID == nil || *got.VID != vid) {
		t.Fatalf("hio vid %v, want %q", deref(got.VID), vid)
	}
}

func deref(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

// midHex returns the raw mid bytes of a gram hio rendered, in the form
// memo.FixedMID takes.
func midHex(t *testing.T, gram []byte) string {
	t.Helper()
	var g memo.Gram
	if err := memo.ParseGram(gram, &g); err != nil {
		t.Fatalf("hio's gram does not parse: %v", err)
	}
	return hex.EncodeToString(g.MID[2:])
}
