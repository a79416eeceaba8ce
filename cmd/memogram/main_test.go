package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// asCLI makes the test binary behave as the memogram command. Tests re-run
// os.Args[0] with it set: that needs no 'go build', so the same tests run as
// Windows binaries under Wine.
const asCLI = "MEMOGRAM_TEST_AS_CLI"

func TestMain(m *testing.M) {
	if os.Getenv(asCLI) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// cliTimeout bounds one CLI process; reaching it is a hang, not slowness.
const cliTimeout = 2 * time.Minute

func cli(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), asCLI+"=1")
	return cmd
}

type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
}

// runCLI runs memogram to its end.
func runCLI(t *testing.T, stdin []byte, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cliTimeout)
	defer cancel()
	cmd := cli(ctx, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("memogram %q did not end within %v\nstderr: %s", args, cliTimeout, errb.String())
	}
	return result{out.String(), errb.String(), exitOf(t, err)}
}

func exitOf(t *testing.T, err error) int {
	t.Helper()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	t.Fatalf("running memogram: %v", err)
	return -1
}

// mustRun runs memogram and fails the test unless it exits 0.
func mustRun(t *testing.T, stdin []byte, args ...string) result {
	t.Helper()
	r := runCLI(t, stdin, args...)
	if r.code != 0 {
		t.Fatalf("memogram %q: %v", args, r)
	}
	return r
}

// proc is a memogram running in the background, such as a receiver.
type proc struct {
	cmd    *exec.Cmd
	cancel context.CancelFunc
	stdout bytes.Buffer
	mu     sync.Mutex
	stderr strings.Builder // after the "receiving on" line
	errEOF chan struct{}
	addr   string // what it announced
}

// startRecv starts "memogram recv ..." and waits until it has bound its
// address, which it announces on stderr.
func startRecv(t *testing.T, args ...string) *proc {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cliTimeout)
	p := &proc{cancel: cancel, errEOF: make(chan struct{})}
	p.cmd = cli(ctx, append([]string{"recv", "--announce"}, args...)...)
	p.cmd.Stdout = &p.stdout
	pipe, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		if p.cmd.ProcessState == nil {
			p.cmd.Wait()
		}
	})
	ready := make(chan string, 1)
	go func() {
		defer close(p.errEOF)
		sc := bufio.NewScanner(pipe)
		announced := false
		for sc.Scan() {
			line := sc.Text()
			if a, ok := strings.CutPrefix(line, "receiving on "); ok && !announced {
				announced = true
				ready <- a
				continue
			}
			p.mu.Lock()
			p.stderr.WriteString(line + "\n")
			p.mu.Unlock()
		}
		io.Copy(io.Discard, pipe)
		if !announced {
			close(ready)
		}
	}()
	select {
	case a, ok := <-ready:
		if !ok {
			r := p.wait(t)
			t.Fatalf("memogram recv %q ended before it was ready: %v", args, r)
		}
		p.addr = a
	case <-time.After(cliTimeout):
		t.Fatalf("memogram recv %q was not ready within %v", args, cliTimeout)
	}
	return p
}

// wait waits for the process to end by itself.
func (p *proc) wait(t *testing.T) result {
	t.Helper()
	<-p.errEOF
	err := p.cmd.Wait()
	p.cancel()
	p.mu.Lock()
	defer p.mu.Unlock()
	return result{p.stdout.String(), p.stderr.String(), exitOf(t, err)}
}

// shortDir is a private directory with a short path: a socket path must fit
// in 107 bytes, and t.TempDir's can be long.
func shortDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("", "mg")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// freeUDPPort returns a port that was free a moment ago. It lets a test
// know a sender's address in advance, to check the src a receiver reports.
func freeUDPPort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// slotName is a mailslot name of this process only: names are global to
// the machine (to the wineserver under Wine), and packages test in parallel.
func slotName(role string) string {
	return fmt.Sprintf(`mgtest\%d-%s\%s`, os.Getpid(), strings.ToLower(rand.Text()[:6]), role)
}

// addrFor returns a fresh local address of the transport for role.
// Receivers on UDP bind port 0 and announce the port they got.
func addrFor(t *testing.T, kind, role string, fixedPort bool) string {
	t.Helper()
	switch kind {
	case tUXD:
		return "uxd:" + filepath.Join(shortDir(t), role)
	case tWMS:
		return "wms:" + slotName(role)
	}
	if fixedPort {
		return fmt.Sprintf("udp:127.0.0.1:%d", freeUDPPort(t))
	}
	return "udp:127.0.0.1:0"
}

// localTransports are the transports this OS has.
func localTransports() []string {
	if isWindows {
		return []string{tWMS, tUDP}
	}
	return []string{tUXD, tUDP}
}

// oneLineError checks the failure contract: one stderr line naming the
// problem, nothing on stdout.
func oneLineError(t *testing.T, r result, wantCode int, want string) {
	t.Helper()
	if r.code != wantCode {
		t.Errorf("exit code %d, want %d\n%v", r.code, wantCode, r)
	}
	lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "memogram: ") {
		t.Errorf("stderr is not one line starting with \"memogram: \": %q", r.stderr)
	}
	if !strings.Contains(strings.ToLower(r.stderr), strings.ToLower(want)) {
		t.Errorf("stderr %q does not mention %q", r.stderr, want)
	}
	if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic") {
		t.Errorf("stderr holds a stack trace: %q", r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("stdout not empty on failure: %q", r.stdout)
	}
}
