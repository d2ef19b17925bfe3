package g711

import (
	"math/bits"
	"slices"
)

// alawToggle is XORed onto every A-law code: G.711 inverts the even bits on
// the line so that silence (many small values) still carries transitions.
const alawToggle = 0x55

// alawDecode maps each of the 256 A-law codes to its 16-bit linear value.
var alawDecode = func() (t [256]int16) {
	for i := range t {
		t[i] = alawToLinear(byte(i))
	}
	return t
}()

// alawToLinear expands one code. Segment 0 is linear (no implicit leading
// one); from segment 1 on the mantissa sits under an implicit one and is
// shifted by segment-1. Values are reconstructed at the middle of their
// quantisation interval (the "+8" / "+0x108" terms), scaled from 13 to 16 bits.
func alawToLinear(code byte) int16 {
	a := code ^ alawToggle
	mag := int32(a&0x0f) << 4
	switch seg := (a & 0x70) >> 4; seg {
	case 0:
		mag += 8
	case 1:
		mag += 0x108
	default:
		mag = (mag + 0x108) << (seg - 1)
	}
	if a&0x80 != 0 {
		return int16(mag)
	}
	return int16(-mag)
}

// linearToAlaw compresses one sample into its A-law code.
func linearToAlaw(s int16) byte {
	mask := byte(0x80 | alawToggle)
	v := int32(s)
	if v < 0 {
		mask = alawToggle
		// One's complement, not negation: it keeps the negative half
		// symmetric with the positive one and maps -32768 into range.
		v = ^v
	}
	m := v >> 3 // A-law works on 13-bit magnitudes; at most 4095 here.
	if m < 0x20 {
		return byte(m>>1) ^ mask
	}
	// m lies in [32, 4095]: the segment is its bit length minus five.
	seg := byte(bits.Len32(uint32(m)) - 5)
	mant := byte(m>>seg) & 0x0f
	return (seg<<4 | mant) ^ mask
}

// DecodeAlaw appends the linear samples of the A-law payload src to dst and
// returns the extended slice. Pass buf[:0] to reuse a buffer: when it has the
// capacity, no allocation happens.
func DecodeAlaw(dst []int16, src []byte) []int16 {
	n := len(dst)
	dst = slices.Grow(dst, len(src))[:n+len(src)]
	out := dst[n:]
	for i, c := range src {
		out[i] = alawDecode[c]
	}
	return dst
}

// EncodeAlaw appends the A-law codes of the linear samples src to dst and
// returns the extended slice.
func EncodeAlaw(dst []byte, src []int16) []byte {
	n := len(dst)
	dst = slices.Grow(dst, len(src))[:n+len(src)]
	out := dst[n:]
	for i, s := range src {
		out[i] = linearToAlaw(s)
	}
	return dst
}
