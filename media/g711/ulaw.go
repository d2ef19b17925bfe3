package g711

import (
	"math/bits"
	"slices"
)

const (
	// ulawBias is added before the segment search so that every segment
	// boundary falls on a power of two (G.711 §3, µ-law bias of 33 in the
	// 14-bit domain, scaled here to 16 bits).
	ulawBias = 0x84
	// ulawClip keeps magnitude+bias inside 15 bits; anything louder is
	// saturated to the loudest code instead of wrapping into a quiet one.
	ulawClip = 32635
)

// ulawDecode maps each of the 256 µ-law codes to its 16-bit linear value.
var ulawDecode = func() (t [256]int16) {
	for i := range t {
		t[i] = ulawToLinear(byte(i))
	}
	return t
}()

// ulawToLinear expands one code: the transmitted byte is bit-inverted, then
// the 4-bit mantissa is placed under an implicit leading one and shifted by
// the 3-bit segment number.
func ulawToLinear(code byte) int16 {
	u := ^code
	mag := (int32(u&0x0f)<<3 + ulawBias) << ((u & 0x70) >> 4)
	if u&0x80 != 0 {
		return int16(ulawBias - mag)
	}
	return int16(mag - ulawBias)
}

// linearToUlaw compresses one sample into its µ-law code.
func linearToUlaw(s int16) byte {
	v := int32(s)
	var sign byte
	if v < 0 {
		sign = 0x80
		// One's complement, as in the ITU-T G.191 reference coder: it keeps
		// the negative half symmetric (-1 lands on negative zero, 0x7F).
		v = ^v
	}
	v = min(v, ulawClip) + ulawBias
	// v now lies in [0x84, 0x7fff]: its top set bit (7..14) is the segment.
	seg := byte(bits.Len32(uint32(v)) - 8)
	mant := byte(v>>(seg+3)) & 0x0f
	return ^(sign | seg<<4 | mant)
}

// DecodeUlaw appends the linear samples of the µ-law payload src to dst and
// returns the extended slice. Pass buf[:0] to reuse a buffer: when it has the
// capacity, no allocation happens.
func DecodeUlaw(dst []int16, src []byte) []int16 {
	n := len(dst)
	dst = slices.Grow(dst, len(src))[:n+len(src)]
	out := dst[n:]
	for i, c := range src {
		out[i] = ulawDecode[c]
	}
	return dst
}

// EncodeUlaw appends the µ-law codes of the linear samples src to dst and
// returns the extended slice.
func EncodeUlaw(dst []byte, src []int16) []byte {
	n := len(dst)
	dst = slices.Grow(dst, len(src))[:n+len(src)]
	out := dst[n:]
	for i, s := range src {
		out[i] = linearToUlaw(s)
	}
	return dst
}
