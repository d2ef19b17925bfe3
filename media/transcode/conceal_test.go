package transcode

import (
	"math"
	"testing"
)

// Loss concealment: a tone with packets dropped. What Conceal makes of the hole must not be
// silence, must go on with the tone (its frequency), and must resemble what the lost packets
// held; Opus with in-band FEC must rebuild the last lost packet better than extrapolation does.
// The stream decodes on normally after it.

// concealCases is shared by the test and the benchmark.
var concealCases = []struct {
	name string
	cfg  AudioConfig
	file string
	// lost packets, from the steady middle of the tone
	from, lost int
	// withNext: Conceal is given the packet after the hole (its FEC, for Opus)
	withNext bool
	// minSNR (dB) of the concealed stretch against the lossless decode of it
	minSNR float64
}{
	{"opus SILK, FEC of the next packet", AudioConfig{Codec: Opus, ClockRate: 48000}, "tone-fec.opus", 25, 1, true, 10},
	{"opus SILK, two lost: PLC then FEC", AudioConfig{Codec: Opus, ClockRate: 48000}, "tone-fec.opus", 25, 2, true, 0},
	{"opus SILK, PLC only", AudioConfig{Codec: Opus, ClockRate: 48000}, "tone-fec.opus", 25, 1, false, 0},
	{"opus stereo 48 kb/s, PLC", AudioConfig{Codec: Opus, ClockRate: 48000, Channels: 2}, "tone.opus", 25, 1, true, 0},
	{"speex wideband, PLC", AudioConfig{Codec: Speex, ClockRate: 16000}, "speex-wb16x3.hex", 20, 1, true, 0},
	{"speex narrowband, PLC", AudioConfig{Codec: Speex, ClockRate: 8000}, "speex-nb8.hex", 20, 2, true, 0},
}

func TestConceal(t *testing.T) {
	for _, tc := range concealCases {
		t.Run(tc.name, func(t *testing.T) {
			pkts := packetsOf(t, tc.file)
			want := decodeAll(t, tc.cfg, pkts[:tc.from+tc.lost+1])
			d, err := NewAudioDecoder(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			var got []int16
			for _, p := range pkts[:tc.from] {
				pcm, err := d.Decode(p)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, pcm...)
			}
			start := len(got)
			hole := len(want[tc.from]) * tc.lost
			var next []byte
			if tc.withNext {
				next = pkts[tc.from+tc.lost]
			}
			in := append([]byte(nil), pkts[tc.from+tc.lost]...)
			pcm, err := d.Conceal(hole, next)
			if err != nil || len(pcm) != hole {
				t.Fatalf("conceal: %d samples of %d, %v", len(pcm), hole, err)
			}
			if string(in) != string(pkts[tc.from+tc.lost]) {
				t.Fatal("Conceal modified the next packet")
			}
			got = append(got, pcm...)
			after, err := d.Decode(pkts[tc.from+tc.lost])
			if err != nil || len(after) != len(want[tc.from+tc.lost]) {
				t.Fatalf("the packet after the hole: %d samples, %v", len(after), err)
			}

			concealed := got[start:]
			ref := flatten(want[tc.from : tc.from+tc.lost])
			if r, w := rms(concealed), rms(ref); r < 0.3*w {
				t.Errorf("concealed rms %.0f against %.0f: near silence", r, w)
			}
			if hz := toneHz(concealed, d.SampleRate()); math.Abs(hz-440) > 50 {
				t.Errorf("concealed tone at %.0f Hz, want 440", hz)
			}
			// The last lost packet: FEC rebuilds it, PLC only guesses.
			last := len(want[tc.from])
			snr := snrDB(concealed[len(concealed)-last:], ref[len(ref)-last:])
			t.Logf("SNR of the last concealed packet %.1f dB", snr)
			if snr < tc.minSNR {
				t.Errorf("SNR %.1f dB, want ≥ %.0f", snr, tc.minSNR)
			}
		})
	}
}

func TestConcealLimits(t *testing.T) {
	d, err := NewAudioDecoder(AudioConfig{Codec: Opus, ClockRate: 48000})
	if err != nil {
		t.Fatal(err)
	}
	pkts := packetsOf(t, "tone-fec.opus")
	for _, p := range pkts[:10] {
		if _, err := d.Decode(p); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct{ samples, want int }{
		{0, 0}, {100, 0}, {250, 240}, {10 * MaxConceal, MaxConceal},
	} {
		if pcm, err := d.Conceal(c.samples, nil); err != nil || len(pcm) != c.want {
			t.Errorf("Conceal(%d): %d samples, %v; want %d", c.samples, len(pcm), err, c.want)
		}
	}
	// A next packet longer than the hole gives no FEC: PLC fills it.
	if pcm, err := d.Conceal(480, pkts[10]); err != nil || len(pcm) != 480 {
		t.Errorf("short hole: %d samples, %v", len(pcm), err)
	}
	d.Close()
	if _, err := d.Conceal(960, nil); err == nil {
		t.Error("Conceal after Close")
	}
}

// BenchmarkConceal makes up one lost 20 ms packet per op (with the next packet's FEC where
// the case has it): ns/op ÷ 20 ms is the share of a core one concealment takes; at 2 % loss a
// call conceals one packet a second.
func BenchmarkConceal(b *testing.B) {
	for _, tc := range concealCases {
		if tc.lost != 1 {
			continue
		}
		b.Run(tc.name, func(b *testing.B) {
			d, err := NewAudioDecoder(tc.cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer d.Close()
			pkts := packetsOf(b, tc.file)
			pcm, err := d.Decode(pkts[0])
			if err != nil {
				b.Fatal(err)
			}
			hole := len(pcm)
			var next []byte
			if tc.withNext {
				next = pkts[1]
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := d.Conceal(hole, next); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// decodeAll decodes pkts without loss, one PCM slice per packet.
func decodeAll(t *testing.T, cfg AudioConfig, pkts [][]byte) [][]int16 {
	t.Helper()
	d, err := NewAudioDecoder(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	out := make([][]int16, len(pkts))
	for i, p := range pkts {
		pcm, err := d.Decode(p)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = append([]int16(nil), pcm...)
	}
	return out
}

func flatten(s [][]int16) []int16 {
	var out []int16
	for _, p := range s {
		out = append(out, p...)
	}
	return out
}

// snrDB is the ratio of ref's power to the power of got - ref.
func snrDB(got, ref []int16) float64 {
	var sig, noise float64
	for i := range ref {
		e := float64(got[i]) - float64(ref[i])
		sig += float64(ref[i]) * float64(ref[i])
		noise += e * e
	}
	if noise == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(sig/noise)
}
