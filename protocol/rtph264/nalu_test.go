package rtph264

import (
	"bytes"
	"testing"
)

func TestNALType(t *testing.T) {
	for b, want := range map[byte]uint8{0x67: 7, 0x68: 8, 0x65: 5, 0x7c: 28, 0x41: 1, 0xff: 31} {
		if got := NALType(b); got != want {
			t.Errorf("NALType(%#x) = %d, want %d", b, got, want)
		}
	}
}

func TestIsKeyFrame(t *testing.T) {
	if !IsKeyFrame(au(sps, pps, idr)) {
		t.Error("IDR unit not a key frame")
	}
	if IsKeyFrame(au(sps, pps, slice)) || IsKeyFrame(nil) || IsKeyFrame(au([]byte{})) {
		t.Error("non-IDR unit taken as key frame")
	}
}

func TestExtractParams(t *testing.T) {
	sps2 := append(bytes.Clone(sps), 0x80)
	s, p := ExtractParams(au(sps, pps, sps2, []byte{}, idr))
	if !bytes.Equal(s, sps2) || !bytes.Equal(p, pps) {
		t.Fatalf("got %x %x", s, p)
	}
	s, p = ExtractParams(au(slice))
	if s != nil || p != nil {
		t.Fatalf("got %x %x from a unit without parameter sets", s, p)
	}
}
