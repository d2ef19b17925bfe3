package aac

import (
	"math"
	"math/rand/v2"
)

// Signal helpers shared by the encoder tests.

// sine returns n samples of a tone of the given amplitude (full scale 32767).
func sine(rate, freq float64, n int, amp float64) []int16 {
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(amp * math.Sin(2*math.Pi*freq*float64(i)/rate))
	}
	return out
}

// power is the mean square of x.
func power(x []int16) float64 {
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return s / float64(len(x))
}

// tonePower is the power of x's component at freq (Goertzel), on the same
// scale as power: for a pure tone the two agree.
func tonePower(x []int16, rate, freq float64) float64 {
	w := 2 * math.Pi * freq / rate
	c := 2 * math.Cos(w)
	var s1, s2 float64
	for _, v := range x {
		s1, s2 = float64(v)+c*s1-s2, s1
	}
	re := s1 - s2*math.Cos(w)
	im := s2 * math.Sin(w)
	n := float64(len(x))
	return 2 * (re*re + im*im) / (n * n)
}

// dominantFreq scans 0..rate/2 in step Hz and returns the strongest tone.
func dominantFreq(x []int16, rate, step float64) float64 {
	best, bestP := 0.0, -1.0
	for f := step; f < rate/2; f += step {
		if p := tonePower(x, rate, f); p > bestP {
			best, bestP = f, p
		}
	}
	return best
}

// noise returns n samples of seeded Gaussian noise with the given standard
// deviation: a stand-in for speech that makes the encoder spend its budget.
func noise(n int, sd float64) []int16 {
	r := rand.New(rand.NewPCG(1, 2))
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(max(-32768, min(32767, r.NormFloat64()*sd)))
	}
	return out
}
