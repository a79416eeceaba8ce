//go:build race

package memo

// raceEnabled: the race detector multiplies memory use, so resident-size
// bounds do not apply.
const raceEnabled = true
