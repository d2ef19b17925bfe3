package g711

import "testing"

func TestAlawRoundTripAllCodes(t *testing.T) {
	codes := make([]byte, 256)
	for i := range codes {
		codes[i] = byte(i)
	}
	back := EncodeAlaw(nil, DecodeAlaw(nil, codes))
	for i, c := range back {
		if c != byte(i) {
			t.Errorf("encode(decode(%#02x)) = %#02x", i, c)
		}
	}
}

// A-law's coarsest step is 1024 (segment 7); the reconstruction sits in the
// middle of the interval, and the top interval ends at 32767 vs 32256.
func TestAlawQuantisation(t *testing.T) {
	checkQuantisation(t, EncodeAlaw, DecodeAlaw, 32767-32256+1)
}

func BenchmarkDecodeAlaw(b *testing.B) {
	src := make([]byte, 160)
	for i := range src {
		src[i] = byte(i)
	}
	buf := make([]int16, 0, len(src))
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		buf = DecodeAlaw(buf[:0], src)
	}
}

func BenchmarkEncodeAlaw(b *testing.B) {
	src := make([]int16, 160)
	for i := range src {
		src[i] = int16(i * 397)
	}
	buf := make([]byte, 0, len(src))
	b.ReportAllocs()
	b.SetBytes(int64(len(src)) * 2)
	for b.Loop() {
		buf = EncodeAlaw(buf[:0], src)
	}
}
