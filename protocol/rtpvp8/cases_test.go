package rtpvp8

import "bytes"

// step is one packet pushed into a Depacketizer and what Push must return.
type step struct {
	seq     uint16
	ts      uint32
	marker  bool
	payload []byte

	want    []byte // the frame's data; nil: no frame comes out
	wantTS  uint32
	wantKey bool
	wantW   int
	wantH   int
	wantErr error // matched with errors.Is; nil: no error
}

// depackCase is a packet sequence. The table is shared by the unit test, the
// fuzz target's seeds and the benchmark.
type depackCase struct {
	name  string
	steps []step
}

// keyFrame builds a VP8 key frame of the given size with n bytes of body.
func keyFrame(w, h, n int) []byte {
	b := []byte{0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, byte(w), byte(w >> 8), byte(h), byte(h >> 8)}
	return append(b, body(n)...)
}

// interFrame builds a VP8 inter frame (P bit set) with n bytes of body.
func interFrame(n int) []byte {
	return append([]byte{0x31, 0x01, 0x00}, body(n)...)
}

func body(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*13 + 5)
	}
	return b
}

// pl prefixes data with the shortest payload descriptor: S set on a frame's
// first packet.
func pl(start bool, data []byte) []byte {
	d := byte(0)
	if start {
		d = descS
	}
	return append([]byte{d}, data...)
}

// plExt prefixes data with an extended descriptor: a 15-bit picture ID,
// TL0PICIDX and TID/KEYIDX, as libvpx-based senders write it.
func plExt(start bool, pictureID int, data []byte) []byte {
	d := byte(descX)
	if start {
		d |= descS
	}
	hdr := []byte{d, extI | extL | extT, pictureIDLong | byte(pictureID>>8), byte(pictureID), 7, 0x40}
	return append(hdr, data...)
}

func join(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

var (
	key640 = keyFrame(640, 360, 3000)
	inter  = interFrame(700)
)

var depackCases = []depackCase{
	{"key frame in one packet", []step{
		{seq: 1, ts: 9000, marker: true, payload: pl(true, key640), want: key640, wantTS: 9000, wantKey: true, wantW: 640, wantH: 360},
	}},
	{"key frame in three packets", []step{
		{seq: 10, ts: 3000, payload: pl(true, key640[:1200])},
		{seq: 11, ts: 3000, payload: pl(false, key640[1200:2400])},
		{seq: 12, ts: 3000, marker: true, payload: pl(false, key640[2400:]), want: key640, wantTS: 3000, wantKey: true, wantW: 640, wantH: 360},
	}},
	{"extended descriptor, inter frame", []step{
		{seq: 65535, ts: 1, payload: plExt(true, 0x1234, inter[:400])},
		{seq: 0, ts: 1, marker: true, payload: plExt(false, 0x1234, inter[400:]), want: inter, wantTS: 1},
	}},
	{"frame ends on a new timestamp without marker", []step{
		{seq: 1, ts: 100, payload: pl(true, inter)},
		{seq: 2, ts: 3100, payload: pl(true, key640), want: inter, wantTS: 100},
		{seq: 3, ts: 6100, marker: true, payload: pl(true, inter), want: key640, wantTS: 3100, wantKey: true, wantW: 640, wantH: 360},
	}},
	{"the next frame comes out on the following push", []step{
		{seq: 1, ts: 100, payload: pl(true, inter)},
		{seq: 2, ts: 3100, marker: true, payload: pl(true, key640), want: inter, wantTS: 100},
		{seq: 3, ts: 6100, payload: pl(true, inter[:100]), want: key640, wantTS: 3100, wantKey: true, wantW: 640, wantH: 360},
	}},
	{"lost middle packet drops the frame", []step{
		{seq: 1, ts: 0, payload: pl(true, key640[:1000])},
		{seq: 3, ts: 0, marker: true, payload: pl(false, key640[2000:]), wantErr: ErrFrameLost},
		{seq: 4, ts: 3000, marker: true, payload: pl(true, inter), want: inter, wantTS: 3000},
	}},
	{"lost first packet drops the frame", []step{
		{seq: 1, ts: 0, marker: true, payload: pl(true, key640), want: key640, wantTS: 0, wantKey: true, wantW: 640, wantH: 360},
		{seq: 3, ts: 3000, payload: pl(false, inter[300:500]), wantErr: ErrFrameLost},
		{seq: 4, ts: 3000, marker: true, payload: pl(false, inter[500:])},
		{seq: 5, ts: 6000, marker: true, payload: pl(true, inter), want: inter, wantTS: 6000},
	}},
	{"lost marker packet: the frame is dropped when the next begins", []step{
		{seq: 1, ts: 0, payload: pl(true, inter[:300])},
		{seq: 3, ts: 3000, marker: true, payload: pl(true, inter), want: inter, wantTS: 3000, wantErr: ErrFrameLost},
	}},
	{"duplicate packet is ignored", []step{
		{seq: 7, ts: 0, payload: pl(true, inter[:300])},
		{seq: 7, ts: 0, payload: pl(true, inter[:300])},
		{seq: 8, ts: 0, marker: true, payload: pl(false, inter[300:]), want: inter, wantTS: 0},
	}},
	{"padding-only packet", []step{
		{seq: 1, ts: 5, payload: nil},
		{seq: 2, ts: 0, marker: true, payload: pl(true, inter), want: inter, wantTS: 0},
	}},
	{"truncated extended descriptor", []step{
		{seq: 1, ts: 0, payload: []byte{descX | descS}, wantErr: ErrMalformed},
		{seq: 2, ts: 0, marker: true, payload: pl(false, inter)},
		{seq: 3, ts: 3000, marker: true, payload: pl(true, inter), want: inter, wantTS: 3000},
	}},
	{"descriptor without data", []step{
		{seq: 1, ts: 0, marker: true, payload: []byte{descS}, wantErr: ErrMalformed},
	}},
	{"key frame with a broken header", []step{
		{seq: 1, ts: 0, marker: true, payload: pl(true, []byte{0x10, 0x02, 0x00, 0x9d, 0x01}), wantErr: ErrMalformed},
	}},
	{"frame too big", []step{
		{seq: 1, ts: 0, payload: pl(true, make([]byte, MaxFrameSize-10))},
		{seq: 2, ts: 0, payload: pl(false, inter), wantErr: ErrFrameTooBig},
		{seq: 3, ts: 0, marker: true, payload: pl(false, inter)},
		{seq: 4, ts: 3000, marker: true, payload: pl(true, inter), want: inter, wantTS: 3000},
	}},
	{"key frame, then inter frames", []step{
		{seq: 100, ts: 0, marker: true, payload: pl(true, key640), want: key640, wantTS: 0, wantKey: true, wantW: 640, wantH: 360},
		{seq: 101, ts: 3000, marker: true, payload: pl(true, inter), want: inter, wantTS: 3000},
		{seq: 102, ts: 6000, marker: true, payload: plExt(true, 3, inter), want: inter, wantTS: 6000},
	}},
}
