package jitter

import (
	"errors"
	"slices"
	"testing"
	"time"
)

var epoch = time.Unix(1_700_000_000, 0)

func at(ms int64) time.Time { return epoch.Add(time.Duration(ms) * time.Millisecond) }

func newCase(t testing.TB, tc jitterCase) *Buffer[uint16] {
	b, err := New[uint16](Config{Depth: time.Duration(tc.depth) * time.Millisecond, Size: tc.size})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBuffer(t *testing.T) {
	for _, tc := range jitterCases {
		t.Run(tc.name, func(t *testing.T) {
			b := newCase(t, tc)
			for i, o := range tc.ops {
				var got []Released[uint16]
				if o.expire {
					got = b.Expire(at(o.at), nil)
				} else {
					got = b.Push(o.seq, o.seq, at(o.at), nil)
				}
				var rels []rel
				for _, g := range got {
					if g.Item != g.Seq {
						t.Fatalf("op %d: item %d released as %d", i, g.Item, g.Seq)
					}
					rels = append(rels, rel{g.Seq, g.Lost})
				}
				if !slices.Equal(rels, o.want) {
					t.Fatalf("op %d: released %v, want %v", i, rels, o.want)
				}
				if m := b.Missing(nil); !slices.Equal(m, o.missing) {
					t.Fatalf("op %d: missing %v, want %v", i, m, o.missing)
				}
			}
			if s := b.Stats(); s != tc.wantStats {
				t.Fatalf("stats %+v, want %+v", s, tc.wantStats)
			}
		})
	}
}

func TestDeadline(t *testing.T) {
	b, _ := New[int](Config{Depth: 80 * time.Millisecond})
	if _, ok := b.Deadline(); ok {
		t.Fatal("deadline with nothing held")
	}
	b.Push(1, 0, at(0), nil)
	b.Push(3, 0, at(10), nil)
	b.Push(4, 0, at(5), nil) // an earlier arrival (clock skew between goroutines) counts
	if d, ok := b.Deadline(); !ok || !d.Equal(at(85)) {
		t.Fatalf("deadline %v %v", d, ok)
	}
	if got := b.Expire(at(85), nil); len(got) != 2 || b.Len() != 0 {
		t.Fatalf("expire at the deadline released %v, %d held", got, b.Len())
	}
}

func TestFlushAndReset(t *testing.T) {
	b, _ := New[int](Config{})
	b.Push(1, 1, at(0), nil)
	b.Push(4, 4, at(1), nil)
	b.Push(6, 6, at(2), nil)
	got := b.Flush(nil)
	if len(got) != 2 || got[0].Seq != 4 || got[0].Lost != 2 || got[1].Seq != 6 || got[1].Lost != 1 {
		t.Fatalf("flush %+v", got)
	}
	b.Push(8, 8, at(3), nil)
	b.Reset()
	if got := b.Push(100, 100, at(4), nil); len(got) != 1 || got[0].Seq != 100 || got[0].Lost != 0 {
		t.Fatalf("after reset %+v", got)
	}
}

func TestConfig(t *testing.T) {
	for _, c := range []Config{{Depth: -1}, {Size: 3}, {Size: MaxSize * 2}, {Size: 1}} {
		if _, err := New[int](c); !errors.Is(err, ErrConfig) {
			t.Errorf("%+v: %v", c, err)
		}
	}
}

// TestNeverBackwards pushes a reordered, duplicated, lossy stream and checks
// that what comes out rises in sequence and timestamp, each packet once.
func TestNeverBackwards(t *testing.T) {
	b, _ := New[uint32](Config{Depth: 40 * time.Millisecond, Size: 64})
	order := []uint16{0, 1, 3, 2, 2, 5, 4, 9, 6, 7, 7, 8, 12, 13, 10, 14, 11, 15, 17, 16, 20, 18, 19, 21}
	seen := map[uint16]bool{}
	last := int64(-1)
	check := func(rs []Released[uint32]) {
		for _, r := range rs {
			if seen[r.Seq] || int64(r.Item) <= last {
				t.Fatalf("seq %d ts %d after ts %d", r.Seq, r.Item, last)
			}
			seen[r.Seq], last = true, int64(r.Item)
		}
	}
	for i, s := range order {
		check(b.Push(s, uint32(s)*160, at(int64(i)*15), nil))
	}
	check(b.Flush(nil))
}
