package jitter

import (
	"encoding/binary"
	"testing"
	"time"
)

// encodeOps turns a case into fuzz input: per op, a flag byte (1 = expire),
// the sequence number and the time step in ms.
func encodeOps(ops []op) []byte {
	var out []byte
	prev := int64(0)
	for _, o := range ops {
		flag := byte(0)
		if o.expire {
			flag = 1
		}
		out = append(out, flag)
		out = binary.BigEndian.AppendUint16(out, o.seq)
		out = append(out, byte(min(max(o.at-prev, 0), 255)))
		prev = o.at
	}
	return out
}

// FuzzBuffer checks that any sequence of pushes and expiries releases each
// sequence number at most once per run of the sender, in rising order between
// restarts, never holds more than its size, and that a final Flush empties it.
func FuzzBuffer(f *testing.F) {
	for _, tc := range jitterCases {
		f.Add(uint8(tc.size), encodeOps(tc.ops))
	}
	f.Fuzz(func(t *testing.T, sizeLog uint8, data []byte) {
		size := 1 << (1 + sizeLog%10)
		b, err := New[uint16](Config{Depth: 50 * time.Millisecond, Size: size})
		if err != nil {
			t.Fatal(err)
		}
		now := int64(0)
		var last uint16
		var have bool
		check := func(rs []Released[uint16]) {
			for _, r := range rs {
				if r.Item != r.Seq || r.Lost < 0 {
					t.Fatalf("released %+v", r)
				}
				// Rising, except across a restart, which jumps by more than
				// any gap the buffer fills.
				if have && int16(r.Seq-last) <= 0 && int16(r.Seq-last) > -maxMisorder {
					t.Fatalf("seq %d after %d", r.Seq, last)
				}
				last, have = r.Seq, true
			}
		}
		for len(data) >= 4 {
			now += int64(data[3])
			if data[0]&1 == 1 {
				check(b.Expire(at(now), nil))
			} else {
				seq := binary.BigEndian.Uint16(data[1:])
				check(b.Push(seq, seq, at(now), nil))
			}
			if b.Len() > size {
				t.Fatalf("%d held in %d slots", b.Len(), size)
			}
			data = data[4:]
		}
		check(b.Flush(nil))
		if b.Len() != 0 {
			t.Fatalf("%d held after flush", b.Len())
		}
	})
}
