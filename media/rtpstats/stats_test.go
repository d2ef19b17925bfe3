package rtpstats

import (
	"testing"
	"time"
)

type statsCase struct {
	name      string
	seqs      []uint16
	wantLost  int64
	wantMax   uint32
	wantFract uint8
}

var statsCases = []statsCase{
	{name: "in order", seqs: []uint16{10, 11, 12, 13}, wantLost: 0, wantMax: 13},
	{name: "one lost", seqs: []uint16{10, 11, 13, 14}, wantLost: 1, wantMax: 14, wantFract: 256 / 5},
	{name: "reordered", seqs: []uint16{10, 12, 11, 13}, wantLost: 0, wantMax: 13},
	{name: "duplicate", seqs: []uint16{10, 11, 11, 12}, wantLost: -1, wantMax: 12},
	{name: "wrap", seqs: []uint16{65534, 65535, 0, 1}, wantLost: 0, wantMax: 1<<16 + 1},
	{name: "restart far away", seqs: []uint16{10, 11, 40000, 40001}, wantLost: 0, wantMax: 40001},
}

func TestReceiver(t *testing.T) {
	for _, tc := range statsCases {
		t.Run(tc.name, func(t *testing.T) {
			r := NewReceiver(90000)
			at := time.Unix(0, 0)
			for i, s := range tc.seqs {
				r.Update(1, s, uint32(i)*3600, at.Add(time.Duration(i)*40*time.Millisecond))
			}
			if got := r.Lost(); got != tc.wantLost {
				t.Errorf("lost %d, want %d", got, tc.wantLost)
			}
			if got := r.ExtendedMax(); got != tc.wantMax {
				t.Errorf("max %d, want %d", got, tc.wantMax)
			}
			rep := r.Report()
			if rep.FractionLost != tc.wantFract || rep.SSRC != 1 {
				t.Errorf("report %+v, want fraction %d", rep, tc.wantFract)
			}
			if rep.Jitter != 0 {
				t.Errorf("jitter %d on a perfectly paced stream", rep.Jitter)
			}
		})
	}
}

func TestJitter(t *testing.T) {
	r := NewReceiver(8000)
	at := time.Unix(0, 0)
	for i := 0; i < 200; i++ {
		skew := time.Duration(i%2) * 10 * time.Millisecond // every other packet 10 ms late
		r.Update(5, uint16(i), uint32(i)*160, at.Add(time.Duration(i)*20*time.Millisecond+skew))
	}
	// RFC 3550's estimator converges to the mean deviation: 10 ms = 80 units at 8 kHz.
	if j := r.Report().Jitter; j < 60 || j > 90 {
		t.Fatalf("jitter %d, want ~80", j)
	}
}

func FuzzReceiver(f *testing.F) {
	for _, tc := range statsCases {
		b := make([]byte, 0, 2*len(tc.seqs))
		for _, s := range tc.seqs {
			b = append(b, byte(s>>8), byte(s))
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r := NewReceiver(8000)
		for i := 0; i+1 < len(b); i += 2 {
			r.Update(1, uint16(b[i])<<8|uint16(b[i+1]), uint32(i)*80, time.Unix(0, int64(i)*int64(time.Millisecond)))
		}
		rep := r.Report()
		if rep.TotalLost > 0x7fffff {
			t.Fatalf("lost %d overflows 24 bits", rep.TotalLost)
		}
	})
}
