package main

import (
	"context"
	"os"
	"os/signal"
	"runtime"
	"syscall"
)

// isWindows picks the platform's native transport (mailslots there, unix
// datagram sockets elsewhere).
const isWindows = runtime.GOOS == "windows"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		// Restore the default handlers: a second signal kills a command
		// that is stuck while closing.
		stop()
	}()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
