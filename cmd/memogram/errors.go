package main

import (
	"errors"
	"fmt"
	"runtime"
	"strings"

	"github.com/memogram/memogram/memo"
	"github.com/memogram/memogram/transport"
	"github.com/memogram/memogram/uxd"
	"github.com/memogram/memogram/wms"
)

// Exit codes. Scripts rely on them, so they never change meaning.
const (
	exitOK          = 0
	exitFailure     = 1   // runtime: destination missing, address in use, I/O
	exitUsage       = 2   // usage or bad input
	exitTimeout     = 3   // --timeout passed
	exitInterrupted = 130 // SIGINT/SIGTERM, after a clean close (128 + SIGINT)
)

// exitError carries an explicit exit code, for failures that no library
// sentinel describes (bad flags, bad memos, time-outs).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageErrorf reports bad usage or bad input: exit 2.
func usageErrorf(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// badInput marks err, whatever it wraps, as bad input: exit 2.
func badInput(err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: exitUsage, err: err}
}

// errInterrupted is what a command returns once a signal has ended it and
// its peers are closed.
var errInterrupted = errors.New("interrupted")

// exitCode maps an error to the process exit code. Library errors are
// recognised by their sentinels, so a reworded message never changes a code.
func exitCode(err error) int {
	var ee *exitError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errInterrupted):
		return exitInterrupted
	case errors.As(err, &ee):
		return ee.code
	case errors.Is(err, transport.ErrNoDestination), errors.Is(err, transport.ErrAddrInUse):
		return exitFailure
	case errors.Is(err, memo.ErrMemoTooLarge), errors.Is(err, memo.ErrGramSize),
		errors.Is(err, memo.ErrBadKey), errors.Is(err, memo.ErrSourceTooLong),
		errors.Is(err, memo.ErrBadCode), errors.Is(err, memo.ErrNoSigner),
		errors.Is(err, transport.ErrUnsupported), errors.Is(err, uxd.ErrPathTooLong),
		errors.Is(err, wms.ErrInvalidName), errors.Is(err, wms.ErrInvalidConfig):
		return exitUsage
	}
	return exitFailure
}

// message renders err as the single stderr line every failure prints:
// newlines in wrapped errors would break scripts that read one line.
func message(err error) string {
	msg := err.Error()
	msg = strings.Join(strings.Fields(msg), " ")
	return "memogram: " + msg
}

// transportError words the transport failures a user can act on. The
// sentinels stay wrapped, so that exitCode still finds them.
func transportError(op string, ep endpoint, err error) error {
	switch {
	case errors.Is(err, transport.ErrNoDestination):
		return fmt.Errorf("%s: nothing is bound at %s: %w", op, ep, transport.ErrNoDestination)
	case errors.Is(err, transport.ErrUnsupported):
		return &exitError{code: exitUsage, err: fmt.Errorf("%s: %s: the %s transport is not available on %s",
			op, ep, ep.kind, runtime.GOOS)}
	}
	return fmt.Errorf("%s: %w", op, err)
}

// timeoutError is the cause a --timeout context ends with.
func timeoutError(what string, args ...any) error {
	return &exitError{code: exitTimeout, err: fmt.Errorf(what, args...)}
}
