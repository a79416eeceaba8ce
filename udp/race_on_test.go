//go:build race

package udp_test

// raceEnabled: the race detector makes sync.Pool drop what is put back, so
// allocation counts mean nothing under it.
const raceEnabled = true
