package dgram

// hioBufSize is hio's BufSize, the buffer size when there is no count.
const hioBufSize = 65535

// BufSizes applies hio's bc/bs rule (docs/protocol.md §10.1) with a transport's
// default count and gram size: a count > 0 gives count × gram; otherwise
// size, or 65535 when that is not positive. Both 0 means the default count;
// a negative count turns it off.
func BufSizes(count, size, defaultCount, gram int) (bc, bs int) {
	if count == 0 && size == 0 {
		count = defaultCount
	}
	if count > 0 {
		return count, count * gram
	}
	if size <= 0 {
		size = hioBufSize
	}
	return 0, size
}
