package memo

// fifo is a first-in first-out queue over one slice that is reused: popping
// by reslicing (q = q[1:]) would give up the front of the array, so that a
// queue emptied and filled once per memo allocated once per memo.
type fifo[T any] struct {
	items []T
	head  int
}

func (q *fifo[T]) len() int { return len(q.items) - q.head }

// all returns the queued items, oldest first; valid until the next push.
func (q *fifo[T]) all() []T { return q.items[q.head:] }

// front returns the oldest item, which must exist; valid until the next push.
func (q *fifo[T]) front() *T { return &q.items[q.head] }

func (q *fifo[T]) push(v T) {
	if q.head > 0 && len(q.items) == cap(q.items) {
		n := copy(q.items, q.items[q.head:])
		clear(q.items[n:])
		q.items, q.head = q.items[:n], 0
	}
	q.items = append(q.items, v)
}

// pop removes the oldest item and returns it, if there is one.
func (q *fifo[T]) pop() (T, bool) {
	var zero T
	if q.head == len(q.items) {
		return zero, false
	}
	v := q.items[q.head]
	q.items[q.head] = zero
	q.head++
	if q.head == len(q.items) {
		q.items, q.head = q.items[:0], 0
	}
	return v, true
}
