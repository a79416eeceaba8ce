package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// hioCommit is the hio commit whose wire format memogram reproduces.
const hioCommit = "55b5ee5"

var versionCmd = &command{
	name:     "version",
	summary:  "print memogram's version, the Go version and the hio commit it speaks",
	synopsis: "version",
	about:    "Prints the module version (\"devel\" for a build from a work tree), the Go\ntoolchain and platform, and the hio commit memogram is wire-compatible with.",
	examples: "  memogram version",
}

func init() { versionCmd.run = runVersion }

func runVersion(ctx context.Context, e *env, args []string) error {
	c := versionCmd
	fs := newFlags(c)
	if help, err := c.parse(e, fs, args); help || err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageErrorf("version: unexpected argument %q", fs.Arg(0))
	}
	fmt.Fprintf(e.stdout, "memogram %s\n%s %s/%s\nwire-compatible with hio %s\n",
		moduleVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH, hioCommit)
	return nil
}

func moduleVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}
