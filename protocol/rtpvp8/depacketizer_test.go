package rtpvp8

import (
	"bytes"
	"errors"
	"testing"

	"github.com/pion/rtp"
)

func TestDepacketizer(t *testing.T) {
	for _, tc := range depackCases {
		t.Run(tc.name, func(t *testing.T) {
			var d Depacketizer
			for i, s := range tc.steps {
				in := bytes.Clone(s.payload)
				f, err := d.Push(&rtp.Packet{
					Header:  rtp.Header{SequenceNumber: s.seq, Timestamp: s.ts, Marker: s.marker},
					Payload: in,
				})
				if !bytes.Equal(in, s.payload) {
					t.Fatalf("step %d: payload modified", i)
				}
				if !errors.Is(err, s.wantErr) || (err != nil) != (s.wantErr != nil) {
					t.Fatalf("step %d: err %v, want %v", i, err, s.wantErr)
				}
				if !bytes.Equal(f.Data, s.want) || (f.Data == nil) != (s.want == nil) {
					t.Fatalf("step %d: frame of %d bytes, want %d", i, len(f.Data), len(s.want))
				}
				if f.Data == nil {
					continue
				}
				if f.TS != s.wantTS || f.Key != s.wantKey || f.Width != s.wantW || f.Height != s.wantH {
					t.Fatalf("step %d: frame ts %d key %v %dx%d, want ts %d key %v %dx%d", i,
						f.TS, f.Key, f.Width, f.Height, s.wantTS, s.wantKey, s.wantW, s.wantH)
				}
			}
		})
	}
}

func TestFrameDataIsACopy(t *testing.T) {
	var d Depacketizer
	payload := pl(true, inter)
	f, _ := d.Push(&rtp.Packet{Header: rtp.Header{SequenceNumber: 1, Marker: true}, Payload: payload})
	g, _ := d.Push(&rtp.Packet{Header: rtp.Header{SequenceNumber: 2, Timestamp: 1, Marker: true}, Payload: pl(true, key640)})
	if !bytes.Equal(f.Data, inter) || g.Data == nil {
		t.Fatal("a later frame overwrote an earlier one")
	}
}

func TestReset(t *testing.T) {
	var d Depacketizer
	d.Push(&rtp.Packet{Header: rtp.Header{SequenceNumber: 1}, Payload: pl(true, inter[:10])})
	d.Reset()
	// After a reset a new SSRC starts anywhere: no gap is seen.
	f, err := d.Push(&rtp.Packet{Header: rtp.Header{SequenceNumber: 900, Timestamp: 7, Marker: true}, Payload: pl(true, inter)})
	if err != nil || !bytes.Equal(f.Data, inter) {
		t.Fatalf("after reset: %v, %d bytes", err, len(f.Data))
	}
}

func TestKeyFrameSize(t *testing.T) {
	cases := []struct {
		in   []byte
		w, h int
		err  error
	}{
		{keyFrame(1280, 720, 0), 1280, 720, nil},
		{keyFrame(8192, 1, 4), 8192, 1, nil},
		{keyFrame(16383, 1, 4), 0, 0, ErrMalformed}, // beyond MaxPictureSide
		{keyFrame(640, 8193, 0), 0, 0, ErrMalformed},
		{append(keyFrame(320, 240, 0)[:6], 0x40, 0xc1, 0xf0, 0x40), 320, 240, nil}, // scaling bits ignored
		{interFrame(20), 0, 0, ErrMalformed},
		{keyFrame(0, 240, 0), 0, 0, ErrMalformed},
		{[]byte{0x10, 0x02, 0x00, 0x9d, 0x01, 0x2b, 1, 0, 1, 0}, 0, 0, ErrMalformed},
		{nil, 0, 0, ErrMalformed},
	}
	for i, tc := range cases {
		w, h, err := KeyFrameSize(tc.in)
		if w != tc.w || h != tc.h || !errors.Is(err, tc.err) || (err == nil) != (tc.err == nil) {
			t.Errorf("case %d: %dx%d %v, want %dx%d %v", i, w, h, err, tc.w, tc.h, tc.err)
		}
	}
}

func TestParseDescriptor(t *testing.T) {
	cases := []struct {
		in    []byte
		start bool
		pid   int
		size  int
		err   error
	}{
		{[]byte{0x10, 0xaa}, true, -1, 1, nil},
		{[]byte{0x11, 0xaa}, false, -1, 1, nil}, // S with PID 1: a later partition
		{[]byte{0x90, 0x80, 0x05, 0xaa}, true, 5, 3, nil},
		{[]byte{0x90, 0x80, 0x81, 0x02, 0xaa}, true, 0x102, 4, nil},
		{[]byte{0x80, 0xf0, 0x81, 0x02, 0x07, 0x40, 0xaa}, false, 0x102, 6, nil},
		{[]byte{0x80, 0x10, 0x40, 0xaa}, false, -1, 3, nil}, // K alone
		{[]byte{0x90, 0x80, 0x81}, false, 0, 0, ErrMalformed},
		{[]byte{0x90}, false, 0, 0, ErrMalformed},
		{[]byte{}, false, 0, 0, ErrMalformed},
	}
	for i, tc := range cases {
		d, err := ParseDescriptor(tc.in)
		if !errors.Is(err, tc.err) || (err == nil) != (tc.err == nil) {
			t.Errorf("case %d: err %v, want %v", i, err, tc.err)
			continue
		}
		if err == nil && (d.Start != tc.start || d.PictureID != tc.pid || d.Size != tc.size) {
			t.Errorf("case %d: %+v", i, d)
		}
	}
}

func BenchmarkDepacketizer(b *testing.B) {
	// A 25 fps stream of one key frame in three packets and inter frames in one.
	var pkts []*rtp.Packet
	seq := uint16(0)
	for _, s := range depackCases[1].steps {
		pkts = append(pkts, &rtp.Packet{Header: rtp.Header{SequenceNumber: seq, Timestamp: 0, Marker: s.marker}, Payload: s.payload})
		seq++
	}
	for i := 1; i < 25; i++ {
		pkts = append(pkts, &rtp.Packet{Header: rtp.Header{SequenceNumber: seq, Timestamp: uint32(i * 3600), Marker: true}, Payload: plExt(true, i, inter)})
		seq++
	}
	var d Depacketizer
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		for _, p := range pkts {
			p.SequenceNumber += uint16(len(pkts))
			p.Timestamp += 90000
			if f, _ := d.Push(p); f.Data != nil {
				n++
			}
		}
	}
	if n == 0 {
		b.Fatal("no frames")
	}
}
