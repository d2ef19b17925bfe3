package rtp

import (
	"testing"

	"github.com/sipcast/sipcast/media/transcode"
)

// The Speex silence frames decode, with libspeex, to 20 ms of (near) silence: a device hears
// nothing, and a decoder that needs some frames to settle has settled by the third.
func TestSpeexSilenceDecodes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		rate    int
		frame   []byte
		samples int
	}{
		{"narrowband", 8000, speexNBSilence, 160},
		{"wideband", 16000, speexWBSilence, 320},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := transcode.NewAudioDecoder(transcode.AudioConfig{Codec: transcode.Speex, ClockRate: tc.rate})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			for i := range 5 {
				pcm, err := d.Decode(tc.frame)
				if err != nil {
					t.Fatalf("frame %d: %v", i, err)
				}
				if len(pcm) != tc.samples {
					t.Fatalf("frame %d: %d samples, want %d", i, len(pcm), tc.samples)
				}
				peak := 0
				for _, s := range pcm {
					peak = max(peak, int(s), -int(s))
				}
				if i >= 2 && peak > 64 { // -54 dBFS
					t.Fatalf("frame %d: peak %d, not silence", i, peak)
				}
			}
		})
	}
}
