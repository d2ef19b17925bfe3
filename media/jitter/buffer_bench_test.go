package jitter

import (
	"testing"
	"time"
)

// BenchmarkPushInOrder is the common case: every packet released at once.
func BenchmarkPushInOrder(b *testing.B) {
	buf, _ := New[int](Config{})
	out := make([]Released[int], 0, 8)
	now := epoch
	seq := uint16(0)
	b.ReportAllocs()
	for b.Loop() {
		out = buf.Push(seq, 0, now, out[:0])
		seq++
		now = now.Add(20 * time.Millisecond)
	}
}

// BenchmarkPushReordered swaps every other pair and drops one packet in 50.
func BenchmarkPushReordered(b *testing.B) {
	buf, _ := New[int](Config{Depth: 40 * time.Millisecond})
	out := make([]Released[int], 0, 8)
	var miss []uint16
	now := epoch
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		seq := uint16(i)
		if i%4 == 1 {
			seq++
		} else if i%4 == 2 {
			seq--
		}
		if i%50 != 7 {
			out = buf.Push(seq, 0, now, out[:0])
		}
		out = buf.Expire(now, out[:0])
		miss = buf.Missing(miss[:0])
		i++
		now = now.Add(5 * time.Millisecond)
	}
}
