package transcode

import (
	"errors"
	"fmt"
	"testing"

	"github.com/sipcast/sipcast/media/dtmftone"
)

// DTMF tones encoded by AudioEncoder and decoded by AudioDecoder (libopus, libspeex both ways)
// are still the digits: what a device hears of sipcast's in-band DTMF.
func TestAudioEncoderTonesRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		codec AudioCodec
		rate  int
	}{{Opus, 48000}, {Opus, 16000}, {Opus, 8000}, {Speex, 16000}, {Speex, 8000}} {
		t.Run(fmt.Sprintf("%s/%d", tc.codec, tc.rate), func(t *testing.T) {
			enc, err := NewAudioEncoder(tc.codec, tc.rate)
			if err != nil {
				t.Fatal(err)
			}
			defer enc.Close()
			// Opus is decoded at its RTP clock, 48 kHz, whatever the rate it was encoded from.
			decRate := tc.rate
			if tc.codec == Opus {
				decRate = 48000
			}
			dec, err := NewAudioDecoder(AudioConfig{Codec: tc.codec, ClockRate: decRate})
			if err != nil {
				t.Fatal(err)
			}
			defer dec.Close()
			const digits = "159#0D"
			g, err := dtmftone.New(digits, dtmftone.Config{Rate: tc.rate})
			if err != nil {
				t.Fatal(err)
			}
			frame := make([]int16, enc.FrameSamples())
			var heard []int16
			for !g.Done() {
				g.Read(frame)
				pkt, err := enc.Encode(frame)
				if err != nil {
					t.Fatal(err)
				}
				pcm, err := dec.Decode(pkt)
				if err != nil {
					t.Fatal(err)
				}
				heard = append(heard, pcm...)
			}
			if got := dtmftone.Detect(heard, decRate); got != digits {
				t.Fatalf("decoded tones give %q, want %q", got, digits)
			}
		})
	}
}

func TestAudioEncoderRefuses(t *testing.T) {
	if _, err := NewAudioEncoder(Opus, 44100); !errors.Is(err, ErrConfig) {
		t.Errorf("Opus from 44.1 kHz: %v", err)
	}
	enc, err := NewAudioEncoder(Speex, 8000)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := enc.Encode(make([]int16, 10)); !errors.Is(err, ErrConfig) {
		t.Errorf("short frame: %v", err)
	}
	enc.Close()
	if _, err := enc.Encode(make([]int16, 160)); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
}

func BenchmarkAudioEncoderOpus(b *testing.B) {
	enc, err := NewAudioEncoder(Opus, 48000)
	if err != nil {
		b.Fatal(err)
	}
	defer enc.Close()
	g, _ := dtmftone.New("5", dtmftone.Config{Rate: 48000})
	frame := make([]int16, enc.FrameSamples())
	g.Read(frame)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := enc.Encode(frame); err != nil {
			b.Fatal(err)
		}
	}
}
