// Package filer reproduces the path rules of hio's Filer (docs/protocol.md §11)
// for endpoints whose local address is a filesystem path, so that a Go peer
// binds where hio peers look for it by convention.
//
// It differs from hio where hio is defective (docs/hio-defects.md §9):
//
//   - Nothing is ever removed here, not even with clean: hio's clean branch
//     deletes whatever sits at the path, including a whole directory for a
//     regular file (F3). The transport removes stale sockets itself, and
//     only sockets.
//   - Directories this package creates get an explicit mode, independent of
//     the process umask (U6).
//   - The alternate path is also used when the main directory exists but is
//     not writable, where hio would go on and fail to bind.
//   - A temporary root is created by MakeTempRoot and removed whole by the
//     caller (U3, F2); it can be recreated at the same place (U7).
//   - Names and bases must be local (no "..", not absolute); hio rejects only
//     absolute ones.
package filer
