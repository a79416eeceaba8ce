// Package memo is the memogram protocol, independent of any transport: the
// codec that cuts memos into grams and parses them, the reassembly that
// fuses grams back into memos, and the Memoer engine that runs both over a
// net.PacketConn.
//
// The wire format is hio's (ioflo/hio at 55b5ee5) byte for byte: the ten
// gram codes bAAA…bAAJ in text and binary ("curt") form, Ed25519-signed
// grams named by B, D or E vids. A Renderer given hio's mid and key
// reproduces hio's grams exactly; the conformance tests read hio's own
// vectors. On top of that memogram defines source grams (sAAA…), which carry
// the sender's address for transports that deliver none, such as Windows
// mailslots; see docs/source-grams.md.
//
// Where hio loses or corrupts data, memogram does not, and says so:
//
//   - memos are bytes, not only UTF-8 text;
//   - a short unsigned binary memo gets gram count 1 where hio writes 0, and
//     an empty memo is sent as one empty gram instead of nothing;
//   - a Reassembler keys memos by source, mid and signer, so that no other
//     sender can join or pre-empt a memo; it holds signed grams that arrive
//     before their zeroth gram; it bounds memory and evicts idle memos; and
//     it never panics on any input;
//   - a would-block send keeps its gram queued instead of dropping it.
//
// Memoer offers two styles over one transport: blocking Send and Receive
// with contexts, for goroutines, and hio's non-blocking Memoit, Service and
// PopMemo, for event loops. SendWith and MemoitWith take per-memo options,
// such as the signer (hio's memoit(memo, dst, vid)).
//
// Sure delivery (docs/sure.md) gives hio's reserved Sure and Ack codes a
// behaviour: SendSure (or Config.Sure, or SendOptions.Sure) keeps every
// gram until the receiver acks it, resends only what the selective acks
// say is missing, and reports the memo delivered or not (ErrNotDelivered,
// a *NotDeliveredError naming mid and destination); the non-blocking style
// gets a Delivery from PopDelivery. Any Memoer acks Sure grams and
// delivers each Sure memo exactly once. Plain sends over UDP, which have
// no acks, are paced (Config.Pace) so as not to overrun the receiver.
//
// The pieces, for those who use them directly: a Renderer cuts a memo into
// grams (Render for all at once, Start for a Rendering that yields them one
// by one into caller buffers); ParseGram reads one gram; a Reassembler fuses
// grams into Memos within the limits of a ReceiveConfig and counts what it
// did in ReceiveStats; a Memoer's Stats adds what it sent. Signer signs, Keep
// holds the keys a receiver verifies with; a VID names a signer on the wire.
//
// The comments cite the protocol by section (docs/protocol.md §6.1) and
// hio's defects by identifier (HIO-DEFECTS S1 is entry S1 of
// docs/hio-defects.md); both documents are in the repository.
package memo
