package clock

import (
	"testing"
	"time"
)

func TestPeekAndRebase(t *testing.T) {
	zero := time.Unix(1_700_000_000, 0)
	tl := NewTimeline(8000, zero)
	if _, ok := tl.Peek(1000); ok {
		t.Fatal("peek before the first packet")
	}
	tl.Map(1000, zero.Add(100*time.Millisecond))
	cases := []struct {
		ts   uint32
		want time.Duration
		ok   bool
	}{
		{1000, 100 * time.Millisecond, true},
		{1160, 120 * time.Millisecond, true},
		{840, 80 * time.Millisecond, true},
		{1000 + 11*8000, 0, false},
	}
	for _, tc := range cases {
		if got, ok := tl.Peek(tc.ts); got != tc.want || ok != tc.ok {
			t.Errorf("Peek(%d) = %v %v, want %v %v", tc.ts, got, ok, tc.want, tc.ok)
		}
	}
	// Peek changed nothing: the next packet follows the first.
	if got := tl.Map(1160, zero); got != 120*time.Millisecond {
		t.Fatalf("Map after Peek: %v", got)
	}
	// Rebase moves the stream, forwards or backwards, and it goes on from there.
	tl.Rebase(1320, 500*time.Millisecond)
	if got := tl.Map(1480, zero); got != 520*time.Millisecond {
		t.Fatalf("after a forward rebase: %v", got)
	}
	tl.Rebase(1640, 300*time.Millisecond)
	if got := tl.Map(1800, zero); got != 320*time.Millisecond {
		t.Fatalf("after a backward rebase: %v", got)
	}
	// A zero-rate timeline has no RTP clock to rebase.
	z := NewTimeline(0, zero)
	z.Rebase(5, time.Second)
	if _, ok := z.Peek(5); ok {
		t.Fatal("zero rate peek")
	}
}
