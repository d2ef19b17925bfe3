package rtpopus

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/pion/rtp"
)

func TestDepacketizer(t *testing.T) {
	for _, tc := range depackCases {
		t.Run(tc.name, func(t *testing.T) {
			var d Depacketizer
			for i, s := range tc.steps {
				in := bytes.Clone(s.payload)
				p, ok, err := d.Push(&rtp.Packet{Header: rtp.Header{SequenceNumber: s.seq, Timestamp: s.ts}, Payload: in})
				if !bytes.Equal(in, s.payload) {
					t.Fatalf("step %d: payload modified", i)
				}
				if !errors.Is(err, s.wantErr) || (err == nil) != (s.wantErr == nil) || ok != s.ok {
					t.Fatalf("step %d: ok %v err %v, want ok %v err %v", i, ok, err, s.ok, s.wantErr)
				}
				if !ok {
					continue
				}
				if p.TS != s.ts || p.Info.Samples != s.samples || p.Info.Frames != s.frames ||
					p.Info.Stereo != s.stereo || p.Lost != s.lost || !bytes.Equal(p.Data, s.payload) {
					t.Fatalf("step %d: %+v", i, p)
				}
			}
		})
	}
}

func TestDuration(t *testing.T) {
	if d := (Info{Samples: 960}).Duration(); d != 20*time.Millisecond {
		t.Fatal(d)
	}
	if d := (Info{Samples: 120}).Duration(); d != 2500*time.Microsecond {
		t.Fatal(d)
	}
}

func BenchmarkDepacketizer(b *testing.B) {
	pkt := &rtp.Packet{Payload: opus(toc(31, true, 0), 120)}
	var d Depacketizer
	b.ReportAllocs()
	for b.Loop() {
		pkt.SequenceNumber++
		pkt.Timestamp += 960
		if _, ok, _ := d.Push(pkt); !ok {
			b.Fatal("dropped")
		}
	}
}
