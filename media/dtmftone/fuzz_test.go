package dtmftone

import (
	"encoding/binary"
	"slices"
	"strings"
	"testing"
	"time"
)

// FuzzDetect feeds arbitrary PCM to the detector (no panic, input untouched, only keys out) and
// round-trips arbitrary digit strings through the generator.
func FuzzDetect(f *testing.F) {
	for _, tc := range toneCases {
		pcm := generate(f, tc.digits, tc.cfg, 160)
		raw := make([]byte, 2*len(pcm))
		for i, s := range pcm {
			binary.LittleEndian.PutUint16(raw[2*i:], uint16(s))
		}
		f.Add(raw, tc.digits, uint16(tc.cfg.Rate/100))
	}
	f.Add([]byte{}, "", uint16(0))
	f.Fuzz(func(t *testing.T, raw []byte, digits string, rate100 uint16) {
		rate := int(rate100) * 100
		pcm := make([]int16, len(raw)/2)
		for i := range pcm {
			pcm[i] = int16(binary.LittleEndian.Uint16(raw[2*i:]))
		}
		orig := slices.Clone(pcm)
		for _, k := range Detect(pcm, rate) {
			if _, _, ok := Frequencies(byte(k)); !ok {
				t.Fatalf("detected %q", k)
			}
		}
		if !slices.Equal(pcm, orig) {
			t.Fatal("Detect mutated its input")
		}
		g, err := New(digits, Config{Rate: rate})
		if err != nil || len(digits) > 20 || rate < 8000 {
			return
		}
		buf := make([]int16, 480)
		var out []int16
		for !g.Done() {
			n := g.Read(buf)
			out = append(out, buf[:n]...)
		}
		if len(out) != len(digits)*int(2*DefaultTone)*rate/int(time.Second) {
			t.Fatalf("%d samples for %d digits", len(out), len(digits))
		}
		if got := Detect(out, rate); got != strings.ToUpper(digits) {
			t.Fatalf("round trip of %q at %d Hz gave %q", digits, rate, got)
		}
	})
}
