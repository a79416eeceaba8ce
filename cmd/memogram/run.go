package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/pflag"
	"golang.org/x/term"
)

// env is a command's view of the process, so that tests can run commands
// in-process with their own streams.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// command is one subcommand. help is shown by --help: a synopsis line, a
// description, then the flags are inserted before the examples.
type command struct {
	name     string
	summary  string
	synopsis string
	about    string
	examples string
	run      func(ctx context.Context, e *env, args []string) error
}

func commands() []*command {
	return []*command{demoCmd, recvCmd, sendCmd, benchCmd, keyCmd, versionCmd}
}

// run is the whole program: it returns the exit code instead of exiting so
// that tests can call it. ctx ends on SIGINT or SIGTERM.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	// A bug must still end in one line, not a stack trace that scripts
	// would take for output; MEMOGRAM_DEBUG=1 shows the trace.
	defer func() {
		if r := recover(); r != nil {
			if os.Getenv("MEMOGRAM_DEBUG") == "1" {
				panic(r)
			}
			fmt.Fprintf(stderr, "memogram: internal error: %v (MEMOGRAM_DEBUG=1 shows where)\n", r)
			code = exitFailure
		}
	}()
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	err := dispatch(ctx, e, args)
	if err == nil {
		return exitOK
	}
	if ctx.Err() != nil {
		// Whatever failed, it failed because the signal closed the peers.
		err = errInterrupted
	}
	fmt.Fprintln(stderr, message(err))
	return exitCode(err)
}

func dispatch(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usageErrorf("no command given; run memogram --help")
	}
	name := args[0]
	switch name {
	case "-h", "--help", "help":
		if len(args) > 1 && name == "help" {
			if c := lookup(args[1]); c != nil {
				return c.run(ctx, e, []string{"--help"})
			}
			return usageErrorf("unknown command %q; run memogram --help", args[1])
		}
		mainUsage(e.stdout)
		return nil
	case "--version", "-V":
		name = "version"
	}
	c := lookup(name)
	if c == nil {
		return usageErrorf("unknown command %q; run memogram --help", name)
	}
	return c.run(ctx, e, args[1:])
}

func lookup(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	return nil
}

func mainUsage(w io.Writer) {
	fmt.Fprint(w, `memogram moves memos (messages of any size, optionally Ed25519-signed) between
processes over unix datagram sockets, UDP and Windows mailslots, wire-compatible
with hio's memogram protocol.

Usage: memogram COMMAND [flags] [args]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Addresses: uxd:PATH (unix datagram socket at PATH), udp:HOST:PORT
(udp:[::1]:PORT for IPv6), wms:NAME (the mailslot \\.\mailslot\NAME).

Exit codes: 0 success, 1 runtime failure, 2 usage or bad input,
3 --timeout passed, 130 interrupted.

Run "memogram COMMAND --help" for a command's flags and examples.
`)
}

// newFlags makes a command's flag set: GNU-style, flags and arguments in any
// order, errors returned rather than printed, so that each failure is one
// line.
func newFlags(c *command) *pflag.FlagSet {
	fs := pflag.NewFlagSet(c.name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.SortFlags = false
	return fs
}

// addHelp is called last, so that --help is listed after a command's own
// flags.
func addHelp(fs *pflag.FlagSet) *bool {
	return fs.BoolP("help", "h", false, "show this help and exit")
}

// parse parses args. help is true when --help was asked for and printed;
// the command then returns nil at once.
func (c *command) parse(e *env, fs *pflag.FlagSet, args []string) (help bool, err error) {
	h := addHelp(fs)
	if err := fs.Parse(args); err != nil {
		return false, usageErrorf("%s: %v (see memogram %s --help)", c.name, err, c.name)
	}
	if *h {
		c.help(e.stdout, fs)
		return true, nil
	}
	return false, nil
}

func (c *command) help(w io.Writer, fs *pflag.FlagSet) {
	fmt.Fprintf(w, "Usage: memogram %s\n\n%s\n", c.synopsis, strings.TrimSpace(c.about))
	fmt.Fprintf(w, "\nFlags:\n%s", fs.FlagUsages())
	if c.examples != "" {
		fmt.Fprintf(w, "\nExamples:\n%s\n", strings.TrimRight(c.examples, "\n"))
	}
}

// isTerminal reports whether w is a terminal: the progress bar is drawn
// only there, never into a file or a pipe that a script reads.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
