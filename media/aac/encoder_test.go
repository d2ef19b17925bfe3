package aac

import (
	"errors"
	"math"
	"testing"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"
)

const (
	// rtpFrame is one 20 ms G.711 RTP payload at 8 kHz, the usual input.
	rtpFrame = 160

	// toneHz is the test tone; it sits in every band down to 8 kHz.
	toneHz = 1000

	// toneAmp is half full scale: loud, with headroom for coding error.
	toneAmp = 16384
)

// rateCases is the one table of rate pairs that the decode, delay and
// config tests share.
var rateCases = []struct {
	name    string
	cfg     Config
	outRate int
}{
	{"8k", Config{InputRate: 8000}, 8000},
	{"16k", Config{InputRate: 16000}, 16000},
	{"8k to 48k", Config{InputRate: 8000, OutputRate: 48000}, 48000},
	{"8k to 44.1k", Config{InputRate: 8000, OutputRate: 44100}, 44100},
	{"48k", Config{InputRate: 48000}, 48000},
}

// encodeAll feeds pcm in RTP-sized pieces and returns copies of every AU.
func encodeAll(t testing.TB, e *Encoder, pcm []int16, piece int) [][]byte {
	t.Helper()
	var all [][]byte
	for len(pcm) > 0 {
		n := min(piece, len(pcm))
		aus, err := e.Encode(pcm[:n])
		if err != nil {
			t.Fatalf("Encode: %v", err)
		}
		for _, au := range aus {
			all = append(all, append([]byte(nil), au...))
		}
		pcm = pcm[n:]
	}
	return all
}

func newTestEncoder(t testing.TB, cfg Config) *Encoder {
	t.Helper()
	e, err := NewEncoder(cfg)
	if err != nil {
		t.Fatalf("NewEncoder(%+v): %v", cfg, err)
	}
	t.Cleanup(e.Close)
	return e
}

func TestEncoderConfig(t *testing.T) {
	for _, tc := range rateCases {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEncoder(t, tc.cfg)
			asc := e.Config()
			if asc.Type != mpeg4audio.ObjectTypeAACLC || asc.SampleRate != tc.outRate || asc.ChannelConfig != 1 {
				t.Fatalf("AudioSpecificConfig = %+v", asc)
			}
			if _, err := asc.Marshal(); err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			if e.SampleRate() != tc.outRate {
				t.Fatalf("SampleRate = %d, want %d", e.SampleRate(), tc.outRate)
			}
			// libavcodec's native encoder primes with exactly one frame.
			if e.Delay() != samplesPerFrame {
				t.Fatalf("Delay = %d, want %d", e.Delay(), samplesPerFrame)
			}
			asc.SampleRate = 1 // a copy: must not reach the encoder
			if e.Config().SampleRate != tc.outRate {
				t.Fatal("Config returned the encoder's own struct")
			}
		})
	}
}

// TestEncodeDecodesToTone is the end-to-end check: 2 s of a 1 kHz tone must
// come back out of an independent decoder as a 1 kHz tone of the same power.
func TestEncodeDecodesToTone(t *testing.T) {
	const seconds = 2
	for _, tc := range rateCases {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEncoder(t, tc.cfg)
			in := sine(float64(tc.cfg.InputRate), toneHz, seconds*tc.cfg.InputRate, toneAmp)
			piece := tc.cfg.InputRate / 50 // 20 ms, as RTP delivers it
			aus := encodeAll(t, e, in, piece)

			// All output but the last partial frame is sent; one frame
			// stays inside the encoder as look-ahead.
			wantAUs := seconds*tc.outRate/samplesPerFrame - 1
			if d := len(aus) - wantAUs; d < -1 || d > 0 {
				t.Fatalf("%d AUs, want %d", len(aus), wantAUs)
			}
			for i, au := range aus {
				if len(au) == 0 || len(au) > maxAUSize {
					t.Fatalf("AU %d has %d bytes", i, len(au))
				}
			}

			pcm := decodeAUs(t, aus, tc.outRate)
			if want := len(aus) * samplesPerFrame; len(pcm) != want {
				t.Fatalf("decoded %d samples, want %d", len(pcm), want)
			}
			// Judge a steady middle stretch, clear of priming and of the
			// encoder's ramp-up.
			mid := pcm[len(pcm)/4 : len(pcm)*3/4]
			rate := float64(tc.outRate)
			if f := dominantFreq(mid, rate, 10); math.Abs(f-toneHz) > 20 {
				t.Errorf("dominant frequency %.0f Hz, want %d", f, toneHz)
			}
			inPower := power(in)
			gotDB := 10 * math.Log10(power(mid)/inPower)
			if math.Abs(gotDB) > 1 {
				t.Errorf("decoded power %+.2f dB from input", gotDB)
			}
			if frac := tonePower(mid, rate, toneHz) / power(mid); frac < 0.95 {
				t.Errorf("only %.3f of the decoded power is at %d Hz", frac, toneHz)
			}
			t.Logf("%d AUs, %.0f bytes/AU, power %+.2f dB", len(aus), avgLen(aus), gotDB)
		})
	}
}

// TestDelay checks the documented timestamp rule: a tone that starts at
// input sample s comes out of the decoder at output sample s' + Delay().
func TestDelay(t *testing.T) {
	// tolerance absorbs the attack of the MDCT (pre-echo) and swresample's
	// filter; both are milliseconds, the delay is 21-128 ms.
	const toleranceMs = 3
	for _, tc := range rateCases {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEncoder(t, tc.cfg)
			inRate := tc.cfg.InputRate
			onset := inRate / 4
			in := make([]int16, inRate)
			copy(in[onset:], sine(float64(inRate), toneHz, inRate-onset, toneAmp))
			pcm := decodeAUs(t, encodeAll(t, e, in, inRate/50), tc.outRate)

			got := -1
			for i, v := range pcm {
				if v > toneAmp/2 || v < -toneAmp/2 {
					got = i
					break
				}
			}
			want := onset*tc.outRate/inRate + e.Delay()
			diffMs := float64(got-want) * 1000 / float64(tc.outRate)
			t.Logf("onset at %d, predicted %d (%+.2f ms)", got, want, diffMs)
			if math.Abs(diffMs) > toleranceMs {
				t.Fatalf("onset at sample %d, want %d±%d ms", got, want, toleranceMs)
			}
		})
	}
}

func avgLen(aus [][]byte) float64 {
	n := 0
	for _, au := range aus {
		n += len(au)
	}
	return float64(n) / float64(len(aus))
}

// TestEncodeAnyLength: the split of the input into Encode calls must not
// change the output, from one sample at a time to one long slice.
func TestEncodeAnyLength(t *testing.T) {
	in := sine(8000, toneHz, 8000, toneAmp)
	ref := encodeAll(t, newTestEncoder(t, Config{InputRate: 8000}), in, len(in))
	for _, piece := range []int{1, 7, 160, 1023, 1024, 1025, 5000} {
		got := encodeAll(t, newTestEncoder(t, Config{InputRate: 8000}), in, piece)
		if len(got) != len(ref) {
			t.Fatalf("piece %d: %d AUs, want %d", piece, len(got), len(ref))
		}
		for i := range got {
			if string(got[i]) != string(ref[i]) {
				t.Fatalf("piece %d: AU %d differs", piece, i)
			}
		}
	}
}

func TestEncodeDoesNotMutateInput(t *testing.T) {
	in := sine(8000, toneHz, 4000, toneAmp)
	keep := append([]int16(nil), in...)
	encodeAll(t, newTestEncoder(t, Config{InputRate: 8000, OutputRate: 48000}), in, 333)
	for i := range in {
		if in[i] != keep[i] {
			t.Fatalf("input sample %d changed", i)
		}
	}
}

func TestEncodeEmpty(t *testing.T) {
	e := newTestEncoder(t, Config{InputRate: 8000})
	for range 3 {
		aus, err := e.Encode(nil)
		if err != nil || len(aus) != 0 {
			t.Fatalf("Encode(nil) = %d AUs, %v", len(aus), err)
		}
	}
}

func TestClose(t *testing.T) {
	e, err := NewEncoder(Config{InputRate: 8000})
	if err != nil {
		t.Fatal(err)
	}
	e.Close()
	e.Close() // idempotent
	if _, err := e.Encode(make([]int16, rtpFrame)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Encode after Close: %v, want ErrClosed", err)
	}
}

func TestNewEncoderInvalid(t *testing.T) {
	if _, err := NewEncoder(Config{InputRate: 8000, Channels: 2}); !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("err = %v, want ErrInvalidConfig", err)
	}
}

// TestSteadyStateAllocs guards the per-packet path: after warm-up, Encode of
// one 20 ms packet must not allocate, at any rate pair, neither on the
// packets that only fill the pending frame nor on those that complete one.
func TestSteadyStateAllocs(t *testing.T) {
	for _, tc := range rateCases {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEncoder(t, tc.cfg)
			packet := sine(float64(tc.cfg.InputRate), toneHz, tc.cfg.InputRate/50, toneAmp)
			for range 100 {
				if _, err := e.Encode(packet); err != nil {
					t.Fatal(err)
				}
			}
			calls := e.lib.calls
			// One run of 10 s, not an average over runs: AllocsPerRun
			// rounds down, and an allocation every few packets must show.
			tenSeconds := func() {
				for range 500 {
					if _, err := e.Encode(packet); err != nil {
						t.Fatal(err)
					}
				}
			}
			if n := testing.AllocsPerRun(1, tenSeconds); n != 0 {
				t.Fatalf("%.0f allocs in 500 packets, want 0", n)
			}
			if e.lib.calls == calls {
				t.Fatal("no frame was encoded while counting")
			}
		})
	}
}
