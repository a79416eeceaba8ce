//go:build !unix && !windows

package dgram

// Elsewhere (js, wasip1, plan9) neither transport has sockets: uxd.Open
// fails before any of this runs, and these only keep it building.

func wouldBlock(error) bool { return false }
func AddrInUse(error) bool  { return false }
func TooBig(error) bool     { return false }
