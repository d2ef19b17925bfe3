// Package wav reads the sound files a push can play instead of a call's audio: RIFF WAVE with
// 16-bit PCM (or 8-bit, or G.711), any rate, mono or stereo, into mono 16-bit samples. Pure;
// resampling is linear, which is plenty for prompts and jingles going into an 8-16 kHz stream.
package wav

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/sipcast/sipcast/media/g711"
)

var (
	// ErrFormat: not a RIFF WAVE file, or a broken one.
	ErrFormat = errors.New("wav: not a valid WAVE file")
	// ErrUnsupported: a WAVE encoding other than PCM 8/16-bit or G.711.
	ErrUnsupported = errors.New("wav: unsupported encoding")
	// ErrTooLong: more samples than MaxSamples.
	ErrTooLong = errors.New("wav: sound too long")
)

// MaxSamples bounds a decoded sound: ten minutes at 48 kHz, far more than a prompt needs, and a
// bound on what a sound file can make a push hold in memory.
const MaxSamples = 10 * 60 * 48000

const (
	formatPCM  = 1
	formatALaw = 6
	formatULaw = 7
)

// Decode returns the file's audio as mono samples and its sample rate.
func Decode(b []byte) ([]int16, int, error) {
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, 0, ErrFormat
	}
	var format, channels, bits int
	var rate int
	var data []byte
	for p := 12; p+8 <= len(b); {
		id, size := string(b[p:p+4]), int(binary.LittleEndian.Uint32(b[p+4:p+8]))
		p += 8
		if size < 0 || size > len(b)-p {
			size = len(b) - p // a truncated last chunk: take what is there
		}
		chunk := b[p : p+size]
		switch id {
		case "fmt ":
			if size < 16 {
				return nil, 0, ErrFormat
			}
			format = int(binary.LittleEndian.Uint16(chunk[0:]))
			channels = int(binary.LittleEndian.Uint16(chunk[2:]))
			rate = int(binary.LittleEndian.Uint32(chunk[4:]))
			bits = int(binary.LittleEndian.Uint16(chunk[14:]))
		case "data":
			data = chunk
		}
		p += size + size%2
	}
	if rate <= 0 || rate > 192000 || channels < 1 || channels > 8 || data == nil {
		return nil, 0, ErrFormat
	}
	width := bits / 8
	if !(format == formatPCM && (bits == 8 || bits == 16)) && !((format == formatALaw || format == formatULaw) && bits == 8) {
		return nil, 0, fmt.Errorf("%w: format %d, %d bits", ErrUnsupported, format, bits)
	}
	frames := len(data) / (width * channels)
	if frames > MaxSamples {
		return nil, 0, ErrTooLong
	}
	out := make([]int16, frames)
	for i := range out {
		sum := 0
		for c := 0; c < channels; c++ {
			sum += sample(data[(i*channels+c)*width:], format, bits)
		}
		out[i] = int16(sum / channels)
	}
	return out, rate, nil
}

func sample(b []byte, format, bits int) int {
	switch {
	case format == formatALaw:
		return int(g711.DecodeAlaw(nil, b[:1])[0])
	case format == formatULaw:
		return int(g711.DecodeUlaw(nil, b[:1])[0])
	case bits == 8:
		return (int(b[0]) - 128) << 8
	}
	return int(int16(binary.LittleEndian.Uint16(b)))
}

// Resample converts mono samples from one rate to another by linear interpolation.
func Resample(in []int16, from, to int) []int16 {
	if from == to || from <= 0 || to <= 0 || len(in) == 0 {
		return in
	}
	n := int(int64(len(in)) * int64(to) / int64(from))
	out := make([]int16, n)
	for i := range out {
		pos := int64(i) * int64(from)
		j, frac := pos/int64(to), pos%int64(to)
		a := int64(in[j])
		b := a
		if j+1 < int64(len(in)) {
			b = int64(in[j+1])
		}
		out[i] = int16(a + (b-a)*frac/int64(to))
	}
	return out
}
