package memo

import "net"

// The caller's callbacks never run under the Memoer's internal lock, so
// that one may call Stats, Close or any other method without deadlocking:
// OnSendError is told after Service releases the lock, RenderConfig.MIDs is
// asked before Memoit takes it, and a Config.Receive.ResolveSource of the
// caller's resolves a carried source when the memo is handed over (Receive,
// PopMemo). ReceiveConfig.Now is the exception: it is a clock, read while
// reassembling, and must not call back into the Memoer.

type sendFailure struct {
	dst net.Addr
	mid MID
	err error
}

func (m *Memoer) reportSendErrors(failed []sendFailure) {
	for _, f := range failed {
		m.cfg.OnSendError(f.dst, f.mid, f.err)
	}
}

// resolveSrc turns a carried source that reassembly left unresolved into
// the caller's address.
func (m *Memoer) resolveSrc(memo *Memo) {
	if m.resolve == nil {
		return
	}
	if s, ok := memo.Src.(SourceAddr); ok {
		if a, err := m.resolve(string(s)); err == nil {
			memo.Src = a
		}
	}
}
