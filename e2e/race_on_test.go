//go:build race

package e2e

// raceEnabled: the race detector slows memory-heavy loops several times, so
// the load tests send fewer memos under it (load_test.go).
const raceEnabled = true
