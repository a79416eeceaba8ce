//go:build !windows

package e2e

// loadMemosUDP is the memos each UDP load sender sends (load_test.go).
const loadMemosUDP = loadMemosDefault
