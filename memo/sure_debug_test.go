package memo

import (
	"fmt"
	"strings"
)

// debugDump says, for Sure memos that were not delivered, what their
// receiver holds of each: the group and its pending memos, held grams, and
// whether it completed or remembers the memo. A stall shows here (a memo
// the receiver never saw points at the sender; held grams and no zeroth
// gram at the zeroth gram's retransmission).
func debugDump(rx *Memoer, failed []MID) string {
	var b strings.Builder
	rx.mu.Lock()
	for _, mid := range failed {
		fmt.Fprintf(&b, "mid %s:", mid)
		found := false
		for k, g := range rx.rx.groups {
			if k.mid == mid {
				found = true
				fmt.Fprintf(&b, " group unsigned=%v signed=%d held=%d", g.unsigned != nil, len(g.signed), len(g.held))
				for _, p := range g.signed {
					fmt.Fprintf(&b, " [gc=%d next=%d ooo=%d]", p.gc, p.next, len(p.ooo))
				}
			}
		}
		if !found {
			fmt.Fprintf(&b, " no group")
		}
		for src, p := range rx.sure.rx.peers {
			if _, ok := p.done[mid]; ok {
				fmt.Fprintf(&b, " completed from %s", src)
			}
		}
		for k := range rx.rx.recent {
			if k.mid == mid {
				fmt.Fprintf(&b, " recent")
			}
		}
		b.WriteString("\n")
	}
	rx.mu.Unlock()
	return b.String()
}
