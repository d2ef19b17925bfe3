package dtmftone

import "math"

// Detection limits. A block is about 13 ms; a key must show in detectBlocks blocks in a row
// (≥ 40 ms, Q.24's shortest tone) and be absent in as many before it counts again, so a
// 100 ms tone is one digit and a 100 ms gap separates two equal ones.
const (
	blockDuration = 0.0128 // seconds: 102 samples at 8 kHz, resolution ~78 Hz
	detectBlocks  = 3
	// minTone is the weakest tone taken, relative to full scale (about −45 dBm0): quieter is
	// line noise.
	minTone = 0.004
	// maxTwist is the largest power ratio between the two tones (8 dB), Q.24's limit.
	maxTwist = 6.3
	// minShare is the least share of the block's energy the two tones must hold: speech and
	// noise spread theirs.
	minShare = 0.6
)

// Detect returns the digits it hears in pcm at rate, in order.
func Detect(pcm []int16, rate int) string {
	if rate <= 0 {
		return ""
	}
	n := int(blockDuration * float64(rate))
	if n < 8 {
		return ""
	}
	var out []byte
	var cur, emitted byte // the key of the current run of blocks, the last one taken
	run, silent := 0, detectBlocks
	for off := 0; off+n <= len(pcm); off += n {
		k := detectBlock(pcm[off:off+n], rate)
		if k == 0 {
			cur, run = 0, 0
			if silent++; silent >= detectBlocks {
				emitted = 0 // a pause: the same key may count again
			}
			continue
		}
		silent = 0
		if k == cur {
			run++
		} else {
			cur, run = k, 1
		}
		if run == detectBlocks && k != emitted {
			out = append(out, k)
			emitted = k
		}
	}
	return string(out)
}

// detectBlock returns the key one block holds, or 0.
func detectBlock(b []int16, rate int) byte {
	var energy float64
	for _, s := range b {
		v := float64(s) / 32768
		energy += v * v
	}
	if energy == 0 {
		return 0
	}
	r, rp, rsecond := strongest(b, rate, rows[:])
	c, cp, csecond := strongest(b, rate, cols[:])
	// Goertzel's power of a sine of amplitude A over N samples is about (A·N/2)²; the tone
	// amplitudes are thus 2·√p/N.
	nf := float64(len(b))
	ra, ca := 2*math.Sqrt(rp)/nf, 2*math.Sqrt(cp)/nf
	if ra < minTone || ca < minTone {
		return 0
	}
	if rp > maxTwist*cp || cp > maxTwist*rp {
		return 0
	}
	// Each tone must stand out of its own group (a chord or speech would not).
	if rsecond*4 > rp || csecond*4 > cp {
		return 0
	}
	// A sine of amplitude A holds A²/2·N of energy.
	if (ra*ra+ca*ca)/2*nf < minShare*energy {
		return 0
	}
	return keys[r][c]
}

// strongest returns the index and power of the strongest frequency of a group, and the power
// of the second strongest.
func strongest(b []int16, rate int, freqs []float64) (best int, power, second float64) {
	for i, f := range freqs {
		p := goertzel(b, rate, f)
		switch {
		case p > power:
			best, second, power = i, power, p
		case p > second:
			second = p
		}
	}
	return best, power, second
}

// goertzel is the power of one frequency in a block of samples (normalised to full scale 1).
func goertzel(b []int16, rate int, freq float64) float64 {
	coeff := 2 * math.Cos(2*math.Pi*freq/float64(rate))
	var s1, s2 float64
	for _, x := range b {
		s := float64(x)/32768 + coeff*s1 - s2
		s2, s1 = s1, s
	}
	return s1*s1 + s2*s2 - coeff*s1*s2
}
