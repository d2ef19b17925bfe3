package rtp

import (
	"bytes"
	"testing"
)

func TestReadArena(t *testing.T) {
	var r readArena
	small := bytes.Repeat([]byte{1}, 100)
	a := r.copyOf(small)
	b := r.copyOf(bytes.Repeat([]byte{2}, 100))
	if !bytes.Equal(a, small) || cap(a) != len(a) {
		t.Fatalf("copy %v (cap %d), want the input with its capacity ending with it", a[:4], cap(a))
	}
	// A holder appending to its copy must not write into the next datagram's.
	a = append(a, 9)
	if b[0] != 2 {
		t.Fatal("appending to one copy overwrote the next")
	}
	small[0] = 7
	if a[0] != 1 {
		t.Fatal("the copy shares memory with the input")
	}
	big := bytes.Repeat([]byte{3}, arenaBytes/2)
	if c := r.copyOf(big); !bytes.Equal(c, big) || &c[0] == &big[0] {
		t.Fatal("a large datagram was not copied whole")
	}
	// Blocks are replaced, never reused: earlier copies survive.
	for range 1000 {
		r.copyOf(bytes.Repeat([]byte{4}, 1200))
	}
	if b[0] != 2 || b[99] != 2 {
		t.Fatal("an earlier copy changed after its block was used up")
	}
	m1, m2 := r.msg(), r.msg()
	if m1 == m2 || m1.buf != nil {
		t.Fatal("messages are not distinct and zeroed")
	}
}

// BenchmarkReadArena is the reader's per-datagram allocation for the committed capture's mix
// (video packets up to 1200 bytes, 172-byte G.711 ones): well under one allocation per packet.
func BenchmarkReadArena(b *testing.B) {
	var r readArena
	video, audio := make([]byte, 1100), make([]byte, 172)
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		p := audio
		if i%2 == 0 {
			p = video
		}
		i++
		m := r.msg()
		m.buf = r.copyOf(p)
	}
}
