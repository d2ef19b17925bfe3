package rtpspeex

import (
	"bytes"
	"errors"
	"testing"

	"github.com/pion/rtp"
)

func TestFrames(t *testing.T) {
	for _, tc := range framesCases {
		t.Run(tc.name, func(t *testing.T) {
			in := bytes.Clone(tc.payload)
			n, err := Frames(in)
			if !bytes.Equal(in, tc.payload) {
				t.Fatal("payload modified")
			}
			if tc.frames == 0 {
				if !errors.Is(err, ErrMalformed) {
					t.Fatalf("got %d frames, err %v; want ErrMalformed", n, err)
				}
				return
			}
			if err != nil || n != tc.frames {
				t.Fatalf("got %d frames, err %v; want %d", n, err, tc.frames)
			}
		})
	}
}

// TestFramesOfFFmpeg checks the count on what libspeex really writes.
func TestFramesOfFFmpeg(t *testing.T) {
	for name, want := range map[string]int{"nb8": 1, "nb8q10": 1, "wb16": 1, "wb16x3": 3} {
		for i, p := range captured(t, name) {
			if n, err := Frames(p); err != nil || n != want {
				t.Errorf("%s packet %d: %d frames, %v; want %d", name, i, n, err, want)
			}
		}
	}
}

func TestDepacketizer(t *testing.T) {
	wb := captured(t, "wb16x3")
	d, err := NewDepacketizer(16000)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		seq     uint16
		payload []byte
		ok      bool
		samples int
		lost    int
		err     error
	}{
		{10, wb[0], true, 960, 0, nil},
		{10, wb[0], false, 0, 0, nil}, // duplicate
		{13, wb[1], true, 960, 2, nil},
		{14, nil, false, 0, 0, nil},
		{15, []byte{0x50}, false, 0, 0, ErrMalformed},
		{16, wb[2], true, 960, 0, nil},
	}
	for i, s := range steps {
		p, ok, err := d.Push(&rtp.Packet{Header: rtp.Header{SequenceNumber: s.seq, Timestamp: uint32(i) * 960}, Payload: s.payload})
		if ok != s.ok || !errors.Is(err, s.err) || (err == nil) != (s.err == nil) {
			t.Fatalf("step %d: ok %v err %v", i, ok, err)
		}
		if ok && (p.Samples != s.samples || p.Frames != 3 || p.Lost != s.lost || p.TS != uint32(i)*960) {
			t.Fatalf("step %d: %+v", i, p)
		}
	}
	if _, err := NewDepacketizer(32000); !errors.Is(err, ErrClockRate) {
		t.Fatal(err)
	}
}

func BenchmarkDepacketizer(b *testing.B) {
	payload := captured(b, "wb16")[0]
	d, _ := NewDepacketizer(16000)
	pkt := &rtp.Packet{Payload: payload}
	b.ReportAllocs()
	for b.Loop() {
		pkt.SequenceNumber++
		if _, ok, _ := d.Push(pkt); !ok {
			b.Fatal("dropped")
		}
	}
}

// TestSplit checks that each re-packed frame is a valid one-frame payload and
// that the frames, put back together, are the original bits.
func TestSplit(t *testing.T) {
	for _, tc := range framesCases {
		t.Run(tc.name, func(t *testing.T) {
			frames, err := Split(tc.payload, nil)
			if tc.frames == 0 {
				if !errors.Is(err, ErrMalformed) {
					t.Fatalf("err %v", err)
				}
				return
			}
			if err != nil || len(frames) != tc.frames {
				t.Fatalf("%d frames, %v; want %d", len(frames), err, tc.frames)
			}
			for i, f := range frames {
				if n, err := Frames(f); n != 1 || err != nil {
					t.Fatalf("frame %d: %d frames, %v", i, n, err)
				}
			}
		})
	}
	for _, name := range []string{"wb16x3", "nb8"} {
		for i, p := range captured(t, name) {
			frames, err := Split(p, nil)
			if err != nil {
				t.Fatalf("%s %d: %v", name, i, err)
			}
			if name == "nb8" && !bytes.Equal(frames[0], p) {
				t.Fatalf("%s %d: a one-frame packet re-packed differently:\n%x\n%x", name, i, frames[0], p)
			}
		}
	}
}
