package aac

import (
	"testing"
	"time"
)

const (
	// rtpPacketTime is the audio one RTP packet carries, to turn ns per
	// packet into the share of one core a call costs.
	rtpPacketTime = 20 * time.Millisecond

	// benchSeconds of distinct input cycle through the benchmark, so the
	// encoder does not see one packet repeated.
	benchSeconds = 10

	// noiseSD is about -20 dBFS, a loud talker.
	noiseSD = 3000
)

// benchSignals are the inputs every encode benchmark runs: a pure tone is
// the encoder's costliest case (see BenchmarkEncode8k), noise stands in for
// speech, silence for the listening half of a call.
var benchSignals = []struct {
	name string
	gen  func(tb testing.TB, rate int) []int16
}{
	{"tone", func(_ testing.TB, rate int) []int16 { return sine(float64(rate), toneHz, benchSeconds*rate, toneAmp) }},
	{"noise", func(_ testing.TB, rate int) []int16 { return noise(benchSeconds*rate, noiseSD) }},
	{"silence", func(_ testing.TB, rate int) []int16 { return make([]int16, benchSeconds*rate) }},
	{"speech", func(tb testing.TB, rate int) []int16 {
		if rate != 8000 {
			tb.Skip("the speech is 8 kHz")
		}
		return speech(tb)
	}},
}

func benchmarkEncode(b *testing.B, cfg Config) {
	for _, sig := range benchSignals {
		b.Run(sig.name, func(b *testing.B) {
			e := newTestEncoder(b, cfg)
			in := sig.gen(b, cfg.InputRate)
			packet := cfg.InputRate / 50
			off, bytes := 0, 0
			b.ReportAllocs()
			cpu0 := cpuTime(b)
			for b.Loop() {
				aus, err := e.Encode(in[off : off+packet])
				if err != nil {
					b.Fatal(err)
				}
				for _, au := range aus {
					bytes += len(au)
				}
				off = (off + packet) % len(in)
			}
			cpu := cpuTime(b) - cpu0
			perPacket := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.ReportMetric(100*perPacket/float64(rtpPacketTime.Nanoseconds()), "%core/call")
			// CPU time, not the wall clock: on a shared machine it leaves
			// out the time other processes held the core.
			b.ReportMetric(float64(cpu.Microseconds())/(float64(b.N)*rtpPacketTime.Seconds()), "cpu-µs/s")
			b.ReportMetric(float64(bytes)*8/(float64(b.N)*rtpPacketTime.Seconds()), "bit/s")
		})
	}
}

// BenchmarkEncode8k is the G.711 case: one op is one 20 ms RTP payload of
// 160 samples, with the default (fast) coder and with twoloop, both at the
// default variable bitrate. cpu-µs/s is the CPU one second of audio costs.
func BenchmarkEncode8k(b *testing.B) {
	for _, c := range []Coder{CoderFast, CoderTwoLoop} {
		b.Run(string(c), func(b *testing.B) { benchmarkEncode(b, Config{InputRate: 8000, Coder: c}) })
	}
}

// BenchmarkEncode8kTo48k adds resampling to the rate ingest services prefer.
func BenchmarkEncode8kTo48k(b *testing.B) {
	benchmarkEncode(b, Config{InputRate: 8000, OutputRate: 48000})
}

// BenchmarkNewEncoder is the per-call set-up and tear-down cost.
func BenchmarkNewEncoder(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		e, err := NewEncoder(Config{InputRate: 8000, OutputRate: 48000})
		if err != nil {
			b.Fatal(err)
		}
		e.Close()
	}
}

// BenchmarkEncodeOptions compares libavcodec's encoder options on G.711
// input, at 8 kHz and resampled to 48 kHz: the figures behind the
// defaults (bench/RESULTS.md, "Issue 14"). The cbr rows are the defaults
// before: constant bitrate, 32 kbit/s at 8 kHz, 64 kbit/s and libavcodec's
// own cutoff at 48 kHz.
func BenchmarkEncodeOptions(b *testing.B) {
	for _, c := range []struct {
		name string
		cfg  Config
	}{
		{"8k/cbr", Config{InputRate: 8000, Quality: -1}},
		{"8k/cbr-notns", Config{InputRate: 8000, Quality: -1, options: "aac_tns=0"}},
		{"8k/cbr-notns-nopns", Config{InputRate: 8000, Quality: -1, options: "aac_tns=0:aac_pns=0"}},
		{"8k/default", Config{InputRate: 8000}},
		{"8k/q1.5", Config{InputRate: 8000, Quality: 1.5}},
		{"48k/cbr64k", Config{InputRate: 8000, OutputRate: 48000, Quality: -1, Bitrate: 64000, Cutoff: -1}},
		{"48k/cbr64k-cut4k", Config{InputRate: 8000, OutputRate: 48000, Quality: -1, Bitrate: 64000}},
		{"48k/cbr48k-cut4k", Config{InputRate: 8000, OutputRate: 48000, Quality: -1}},
		{"48k/default", Config{InputRate: 8000, OutputRate: 48000}},
	} {
		b.Run(c.name, func(b *testing.B) { benchmarkEncode(b, c.cfg) })
	}
}
