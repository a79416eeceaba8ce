// Package e2e holds memogram's end-to-end tests: the memo engine over real
// transports, with nothing stubbed. It has no API; everything is in its
// _test.go files.
//
//   - Go ↔ Go over unix datagram sockets (uxd): memo sizes from empty to
//     16 MiB, text and binary heads, signed and unsigned, many senders into
//     one receiver, Close/Reopen mid-stream, socket permissions and clean-up.
//   - Faults (faults_test.go, faults_windows_test.go): the receiver
//     reopened mid-memo, a sender process killed mid-memo, the destination
//     gone between sends, an unwritable wire log.
//   - Load (load_test.go, load_windows_test.go): 8 senders × 10,000 memos
//     of 1 B–256 KiB into one receiver over uxd, UDP (plain: loss reported;
//     Sure: none) and mailslots, compared by sha256; MEMOGRAM_LOAD_MEMOS
//     sets the count, which is 1,000 under -race and over UDP under Wine.
//   - Go ↔ Go over UDP loopback, IPv4 and IPv6, paced so that a loss would be
//     a bug rather than weather.
//   - Go ↔ the real Python hio (commit 55b5ee5) over uxd, both ways,
//     including byte-for-byte comparison of grams and hio's known defects.
//   - Benchmarks that time the memo layer and the raw transport in the same
//     run and report their ratio.
//
// The hio tests need hio itself and its driver, named by HIO_PYTHONPATH,
// HIOPEER and (optionally) HIO_PYTHON, as docs/testing.md explains; without
// them they skip, unless MEMOGRAM_REQUIRE_HIO is set (CI), when they fail.
// On Windows the uxd tests only check that uxd.Open reports
// transport.ErrUnsupported, and the hio tests skip (no Python under Wine);
// the UDP tests run everywhere.
//
//	go test -race -timeout 600s ./e2e/
//	go test -run '^$' -bench . -timeout 600s ./e2e/
package e2e
