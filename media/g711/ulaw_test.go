package g711

import (
	"slices"
	"testing"
)

func TestCodecCases(t *testing.T) {
	for _, c := range codecCases {
		t.Run(c.name, func(t *testing.T) {
			got := decodeFn(c.law)(nil, []byte{c.code})
			if len(got) != 1 || got[0] != c.sample {
				t.Fatalf("decode(%#02x) = %v, want %d", c.code, got, c.sample)
			}
			back := encodeFn(c.law)(nil, got)
			if c.encodesBack && back[0] != c.code {
				t.Fatalf("encode(%d) = %#02x, want %#02x", c.sample, back[0], c.code)
			}
		})
	}
}

func TestEncodeCases(t *testing.T) {
	for _, c := range encodeCases {
		t.Run(c.name, func(t *testing.T) {
			got := encodeFn(c.law)(nil, []int16{c.sample})
			if got[0] != c.code {
				t.Fatalf("encode(%d) = %#02x, want %#02x", c.sample, got[0], c.code)
			}
		})
	}
}

func TestUlawRoundTripAllCodes(t *testing.T) {
	codes := make([]byte, 256)
	for i := range codes {
		codes[i] = byte(i)
	}
	back := EncodeUlaw(nil, DecodeUlaw(nil, codes))
	for i, c := range back {
		want := byte(i)
		if want == 0x7f { // negative zero re-encodes as positive zero
			want = 0xff
		}
		if c != want {
			t.Errorf("encode(decode(%#02x)) = %#02x", i, c)
		}
	}
}

// TestUlawQuantisation walks every int16 and checks that the codec is
// monotonic and that the error stays within half of the coarsest step
// (1024 in segment 7) and, at the extremes, the clipped headroom beyond
// ±32124 (-32768 is the farthest).
func TestUlawQuantisation(t *testing.T) {
	checkQuantisation(t, EncodeUlaw, DecodeUlaw, 32768-32124)
}

func checkQuantisation(t *testing.T, enc func([]byte, []int16) []byte, dec func([]int16, []byte) []int16, maxErr int) {
	t.Helper()
	all := make([]int16, 0, 1<<16)
	for s := -32768; s <= 32767; s++ {
		all = append(all, int16(s))
	}
	out := dec(nil, enc(nil, all))
	for i := range all {
		if d := int(out[i]) - int(all[i]); d > maxErr || d < -maxErr {
			t.Fatalf("sample %d decodes back as %d (error %d > %d)", all[i], out[i], d, maxErr)
		}
		if i > 0 && out[i] < out[i-1] {
			t.Fatalf("not monotonic at %d: %d < %d", all[i], out[i], out[i-1])
		}
	}
}

func TestAppendKeepsPrefix(t *testing.T) {
	dst := []int16{1, 2}
	got := DecodeUlaw(dst, []byte{0xff, 0x00})
	if !slices.Equal(got, []int16{1, 2, 0, -32124}) {
		t.Fatalf("got %v", got)
	}
	b := EncodeUlaw([]byte{9}, []int16{0})
	if !slices.Equal(b, []byte{9, 0xff}) {
		t.Fatalf("got %v", b)
	}
}

func TestDecodeReusesCapacity(t *testing.T) {
	src := make([]byte, 160)
	buf := make([]int16, 0, 160)
	allocs := testing.AllocsPerRun(100, func() {
		buf = DecodeUlaw(buf[:0], src)
		buf = DecodeAlaw(buf[:0], src)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per run, want 0", allocs)
	}
}

func BenchmarkDecodeUlaw(b *testing.B) {
	src := make([]byte, 160) // one 20 ms packet at 8 kHz
	for i := range src {
		src[i] = byte(i)
	}
	buf := make([]int16, 0, len(src))
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		buf = DecodeUlaw(buf[:0], src)
	}
}

func BenchmarkEncodeUlaw(b *testing.B) {
	src := make([]int16, 160)
	for i := range src {
		src[i] = int16(i * 397)
	}
	buf := make([]byte, 0, len(src))
	b.ReportAllocs()
	b.SetBytes(int64(len(src)) * 2)
	for b.Loop() {
		buf = EncodeUlaw(buf[:0], src)
	}
}
