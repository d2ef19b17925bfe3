package jitter

// op is one call on a Buffer: a push of seq at ms (or, with expire set, an
// Expire at ms) and the packets it must release, "seq" or "seq/lost".
type op struct {
	expire  bool
	seq     uint16
	at      int64
	want    []rel
	missing []uint16 // what Missing must return right after
}

type rel struct {
	seq  uint16
	lost int
}

// jitterCase is one scenario; depth 0 means DefaultDepth, size 0 DefaultSize.
type jitterCase struct {
	name      string
	depth     int64 // ms
	size      int
	ops       []op
	wantStats Stats
}

func p(seq uint16, at int64, want ...rel) op { return op{seq: seq, at: at, want: want} }
func e(at int64, want ...rel) op             { return op{expire: true, at: at, want: want} }
func r(seq uint16) rel                       { return rel{seq: seq} }
func rl(seq uint16, lost int) rel            { return rel{seq: seq, lost: lost} }

func (o op) nack(seqs ...uint16) op { o.missing = seqs; return o }

var jitterCases = []jitterCase{
	{name: "in order: no delay", ops: []op{
		p(10, 0, r(10)), p(11, 20, r(11)), p(12, 40, r(12)),
	}, wantStats: Stats{Packets: 3}},
	{name: "reordered pair is put back", ops: []op{
		p(10, 0, r(10)), p(12, 20).nack(11), p(11, 25, r(11), r(12)), p(13, 40, r(13)),
	}, wantStats: Stats{Packets: 4, Reordered: 1}},
	{name: "duplicate of a held packet is dropped", ops: []op{
		p(1, 0, r(1)), p(3, 10).nack(2), p(3, 11), p(2, 12, r(2), r(3)),
	}, wantStats: Stats{Packets: 4, Reordered: 1, Duplicates: 1}},
	{name: "duplicate of a released packet is late", ops: []op{
		p(1, 0, r(1)), p(2, 10, r(2)), p(2, 11), p(1, 12), p(3, 20, r(3)),
	}, wantStats: Stats{Packets: 5, Late: 2}},
	{name: "loss is given up after the depth", depth: 60, ops: []op{
		p(1, 0, r(1)), p(3, 40).nack(2), p(4, 60), e(99), e(100, rl(3, 1), r(4)), p(5, 120, r(5)),
	}, wantStats: Stats{Packets: 4, Lost: 1}},
	{name: "a push past the deadline releases too", depth: 50, ops: []op{
		p(1, 0, r(1)), p(3, 20).nack(2), p(4, 80, rl(3, 1), r(4)),
	}, wantStats: Stats{Packets: 3, Lost: 1}},
	{name: "late packet after the gap was given up is dropped", depth: 50, ops: []op{
		p(1, 0, r(1)), p(3, 20).nack(2), e(70, rl(3, 1)), p(2, 75), p(4, 80, r(4)),
	}, wantStats: Stats{Packets: 4, Lost: 1, Late: 1}},
	{name: "burst loss and reorder together", depth: 100, ops: []op{
		p(100, 0, r(100)), p(104, 10).nack(101, 102, 103), p(102, 12), p(105, 15), p(101, 20, r(101), r(102)),
		e(109), e(110, rl(104, 1), r(105)),
	}, wantStats: Stats{Packets: 5, Reordered: 2, Lost: 1}},
	{name: "wrap-around of the sequence number", ops: []op{
		p(65534, 0, r(65534)), p(0, 10).nack(65535), p(65535, 11, r(65535), r(0)), p(1, 20, r(1)),
	}, wantStats: Stats{Packets: 4, Reordered: 1}},
	{name: "a gap wider than the buffer gives up the oldest at once", size: 8, ops: []op{
		p(1, 0, r(1)), p(3, 5).nack(2), p(12, 10, rl(3, 1)).nack(5, 6, 7, 8, 9, 10, 11), e(200, rl(12, 8)),
	}, wantStats: Stats{Packets: 3, Lost: 9}},
	{name: "sender restarts lower: confirmed by the next packet", ops: []op{
		p(5000, 0, r(5000)), p(5001, 20, r(5001)), p(10, 40), p(11, 60, r(10), r(11)), p(12, 80, r(12)),
	}, wantStats: Stats{Packets: 5, Late: 1, Restarts: 1}},
	{name: "a stray old packet is not a restart", ops: []op{
		p(5000, 0, r(5000)), p(4000, 10), p(5001, 20, r(5001)), p(4001, 30), p(5002, 40, r(5002)),
	}, wantStats: Stats{Packets: 5, Late: 2}},
	{name: "sender jumps far ahead: a restart, not a loss", ops: []op{
		p(1, 0, r(1)), p(3, 5).nack(2), p(20000, 10, rl(3, 1), r(20000)), p(20001, 20, r(20001)),
	}, wantStats: Stats{Packets: 4, Lost: 1, Restarts: 1}},
	{name: "expire with nothing held", ops: []op{
		e(0), p(7, 1, r(7)), e(1000),
	}, wantStats: Stats{Packets: 1}},
}
