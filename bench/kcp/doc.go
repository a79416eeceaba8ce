// Command kcp benchmarks memogram's Sure delivery (acked memos over UDP,
// docs/sure.md) side by side with github.com/xtaci/kcp-go/v5 v5.7.6, and
// plain memogram as the lossless ceiling, in one run.
//
// Every system moves the same memos (DefaultMix: 1,024 of 16 KiB and 64
// of 256 KiB, 32 MiB, seeded order) from A to B over loopback UDP through
// the same lossy Relay: two real sockets and a goroutine per direction,
// dropping a seeded fraction of datagrams both ways. A memo's latency runs
// from its send call to its full arrival at B; goodput is memo bytes
// delivered over the time from the first send call to the last arrival.
//
//   - plain: memo.Memoer.Send over udp peers, no acks; paced by an
//     in-process credit (Options.PlainCredit, 1 MiB) since it has no flow
//     control and would otherwise overrun the relay's socket buffer.
//   - sure: memo.Memoer.SendSure with the default SureConfig (window 256
//     grams) over udp peers, from 4 goroutines.
//   - kcp: one kcp-go session, no encryption, no FEC, tuned as its users
//     tune it for low latency (kcptun's "fast3"): NoDelay(1, 10, 2, 1),
//     stream mode, no write delay, windows 256/256 segments like Sure's,
//     MTU 1240 like memogram's grams; each memo framed by a 4-byte length.
//
// It lives in its own module so that the library's go.mod gains no
// dependency. Run it from this directory:
//
//	go run . -runs 5
//	go test -run XXX -bench Compare -benchtime 3x -timeout 900s
//
// README.md has the flags; docs/sure.md ("Compared with kcp-go") the
// results.
package main
