//go:build !unix

package filer

const (
	accessR = 4
	accessW = 2
	accessX = 1
)

// access always succeeds where there is no access(2): on such systems a path
// that cannot be used shows up when the endpoint binds to it.
func access(string, uint32) error { return nil }
