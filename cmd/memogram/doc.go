// Command memogram sends, receives and benchmarks memos over unix datagram
// sockets, UDP and Windows mailslots, speaking hio's memogram protocol.
//
// Usage:
//
//	memogram COMMAND [flags] [args]
//
// The commands:
//
//	demo     two peers in this process exchange four memos; no set-up needed
//	recv     bind an address and print the memos that arrive
//	send     send memos from one address to another
//	bench    measure the raw transport and the memo layer over it, side by side
//	key      make or show a signing key: seed, vid and the --trust entry
//	version  print memogram's version, the Go version and the hio commit it speaks
//
// Addresses are uxd:PATH (a unix datagram socket at PATH), udp:HOST:PORT
// (udp:[::1]:PORT for IPv6) and wms:NAME (the mailslot \\.\mailslot\NAME).
// Exit codes: 0 success, 1 runtime failure, 2 usage or bad input, 3 --timeout
// passed, 130 interrupted.
//
// "memogram help" and "memogram COMMAND --help" print the same with every
// flag and examples; the README's "Command line" section walks through them.
// The command is a thin layer over the packages memo, uxd, udp and wms.
package main
