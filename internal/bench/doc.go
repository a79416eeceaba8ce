// Package bench measures a datagram transport and the memo layer over it,
// side by side in one run, as `memogram bench` reports it: the raw
// transport sends the very grams the memo layer cuts a memo into, through
// the same kernel path (batched when the transport batches, one datagram
// per call when it does not), and for signed memos the run also times
// Ed25519 alone to give the ceiling the crypto allows.
//
// The command layer (cmd/memogram) parses flags, opens endpoints through
// Spec.Open and prints what Measure and Sweep return with the Write
// functions here.
package bench
