package memo

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error the codec and the engine return matches one
// of these with errors.Is; details (sizes, codes) are in the message.
var (
	// Parsing: the gram is dropped.
	ErrShortGram     = errors.New("memo: gram shorter than its code's overhead")
	ErrUnknownCode   = errors.New("memo: unknown gram code")
	ErrNotGram       = errors.New("memo: first byte is not a memogram code")
	ErrMalformed     = errors.New("memo: malformed gram field")
	ErrBadSignature  = errors.New("memo: signature does not verify")
	ErrUnknownSigner = errors.New("memo: no verification key for vid")
	ErrAckGram       = errors.New("memo: ack grams have no defined behaviour")

	// Configuration and sending.
	ErrGramSize      = errors.New("memo: gram size not usable")
	ErrMemoTooLarge  = errors.New("memo: memo too large")
	ErrBadCode       = errors.New("memo: code not usable here")
	ErrBadKey        = errors.New("memo: bad key")
	ErrNoSigner      = errors.New("memo: signed code needs a signer")
	ErrSourceTooLong = errors.New("memo: source address too long to carry")
)

func errorf(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{sentinel}, args...)...)
}

// Reasons a receiver drops a well-formed gram.
var (
	ErrNotSigned   = errors.New("memo: unsigned gram refused (authic receiver, or the memo is signed)")
	ErrDuplicate   = errors.New("memo: duplicate gram (the first copy wins)")
	ErrGramNumber  = errors.New("memo: gram number out of range")
	ErrLateGram    = errors.New("memo: gram of a memo already delivered")
	ErrTooManyHeld = errors.New("memo: too many candidate memos for one mid")
)
