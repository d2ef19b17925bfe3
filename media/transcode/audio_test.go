package transcode

import (
	"errors"
	"math"
	"path/filepath"
	"testing"

	"github.com/sipcast/sipcast/protocol/rtpspeex"

	"github.com/sipcast/sipcast/internal/testutil"
)

// toneHz estimates the frequency of a tone from its zero crossings.
func toneHz(pcm []int16, rate int) float64 {
	crossings := 0
	for i := 1; i < len(pcm); i++ {
		if (pcm[i-1] < 0) != (pcm[i] < 0) {
			crossings++
		}
	}
	return float64(crossings) / 2 / (float64(len(pcm)) / float64(rate))
}

func rms(pcm []int16) float64 {
	var sum float64
	for _, s := range pcm {
		sum += float64(s) * float64(s)
	}
	return math.Sqrt(sum / float64(len(pcm)))
}

// audioCases is shared by the test and the benchmark: a codec, its packets,
// the PCM each packet must give, and the tone they carry.
var audioCases = []struct {
	name      string
	cfg       AudioConfig
	file      string
	perPacket int
}{
	{"opus stereo 48 kHz, 20 ms", AudioConfig{Codec: Opus, ClockRate: 48000, Channels: 2}, "tone.opus", 960},
	{"speex wideband, 3 frames a packet, split", AudioConfig{Codec: Speex, ClockRate: 16000}, "speex-wb16x3.hex", 320},
	{"speex narrowband", AudioConfig{Codec: Speex, ClockRate: 8000}, "speex-nb8.hex", 160},
}

// packetsOf returns what goes into Decode: Opus packets, or Speex frames
// (rtpspeex.Split: one frame per call, as the RTP pipe does).
func packetsOf(t testing.TB, file string) [][]byte {
	if filepath.Ext(file) == ".opus" {
		return readOggPackets(t, testdata(file))
	}
	var frames [][]byte
	for _, p := range testutil.ReadHexLines(t, testdata(file)) {
		var err error
		if frames, err = rtpspeex.Split(p, frames); err != nil {
			t.Fatal(err)
		}
	}
	return frames
}

func TestAudioDecoder(t *testing.T) {
	for _, tc := range audioCases {
		t.Run(tc.name, func(t *testing.T) {
			d, err := NewAudioDecoder(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			var all []int16
			for i, p := range packetsOf(t, tc.file) {
				in := append([]byte(nil), p...)
				pcm, err := d.Decode(in)
				if err != nil {
					t.Fatalf("packet %d: %v", i, err)
				}
				if len(pcm) != tc.perPacket {
					t.Fatalf("packet %d: %d samples, want %d", i, len(pcm), tc.perPacket)
				}
				all = append(all, pcm...)
			}
			// Skip the codec's start-up; the rest is the 440 Hz tone.
			steady := all[len(all)/4:]
			if hz := toneHz(steady, d.SampleRate()); math.Abs(hz-440) > 20 {
				t.Errorf("tone at %.0f Hz, want 440", hz)
			}
			if r := rms(steady); r < 1000 {
				t.Errorf("rms %.0f: too quiet", r)
			}
		})
	}
}

func TestAudioDecoderCorruptPacket(t *testing.T) {
	d, err := NewAudioDecoder(AudioConfig{Codec: Opus, ClockRate: 48000, Channels: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	pkts := readOggPackets(t, testdata("tone.opus"))
	// A code-3 packet announcing 48 frames with no data: the decoder refuses it
	// and the next good packet decodes as before.
	if _, err := d.Decode([]byte{0xff, 0x30}); !errors.Is(err, ErrDecode) {
		t.Fatalf("corrupt packet: %v", err)
	}
	if pcm, err := d.Decode(pkts[0]); err != nil || len(pcm) != 960 {
		t.Fatalf("after a corrupt packet: %d samples, %v", len(pcm), err)
	}
	d.Close()
	if _, err := d.Decode(pkts[1]); !errors.Is(err, ErrClosed) {
		t.Fatal(err)
	}
}

func TestAudioConfig(t *testing.T) {
	for _, c := range []AudioConfig{
		{Codec: Opus, ClockRate: 16000},
		{Codec: Speex, ClockRate: 32000},
		{Codec: "g729", ClockRate: 8000},
		{Codec: Opus, ClockRate: 48000, Channels: 6},
	} {
		if _, err := NewAudioDecoder(c); !errors.Is(err, ErrConfig) {
			t.Errorf("%+v: %v", c, err)
		}
	}
}

// BenchmarkAudioDecode decodes one packet per op: with 20 ms packets, ns/op
// divided by 20 ms is the share of a core one call's decoding takes.
func BenchmarkAudioDecode(b *testing.B) {
	for _, tc := range audioCases {
		b.Run(tc.name, func(b *testing.B) {
			d, err := NewAudioDecoder(tc.cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer d.Close()
			pkts := packetsOf(b, tc.file)
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				if _, err := d.Decode(pkts[i%len(pkts)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
