package transcoder

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sipcast/sipcast/internal/metrics"
	"github.com/sipcast/sipcast/media/frame"
)

// The audio transcoder conceals the packets the jitter buffer gave up (EncodedAudio.Lost): the
// hole is made up by the decoder (media/transcode's Conceal tests what it sounds like), up to
// transcode.MaxConceal, and a hole without a loss (DTX, a pause) is left to the pacer's silence.

var concealActorCases = []struct {
	name   string
	drop   []int // packets not delivered
	lost   bool  // the next packet says they were lost
	wantMs int64 // concealed
}{
	{"one lost packet", []int{20}, true, 20},
	{"three lost packets", []int{20, 21, 22}, true, 60},
	{"a 200 ms hole: 120 ms made up, the rest silence", []int{10, 11, 12, 13, 14, 15, 16, 17, 18, 19}, true, 120},
	{"a hole without a loss (DTX) is not concealed", []int{20, 21}, false, 0},
}

func TestAudioTranscoderConceals(t *testing.T) {
	pkts := oggPackets(t, filepath.Join(testdata, "tone-fec.opus"))
	for _, tc := range concealActorCases {
		t.Run(tc.name, func(t *testing.T) {
			a := &Actor{cfg: Config{Codec: "OPUS", ClockRate: 48000}, kept: &kept{}}
			if err := a.openAudio(); err != nil {
				t.Fatal(err)
			}
			defer a.close()
			dropped := map[int]bool{}
			for _, i := range tc.drop {
				dropped[i] = true
			}
			lost, counted := 0, metrics.AudioConcealed.Value()
			for i, p := range pkts {
				if dropped[i] {
					lost++
					continue
				}
				m := &frame.EncodedAudio{PTS: time.Duration(i) * 20 * time.Millisecond, Frames: [][]byte{p}, Samples: 960}
				if tc.lost {
					m.Lost = lost
				}
				lost = 0
				a.handleAudio(nil, m)
			}
			if got := a.concealedMs(); got != tc.wantMs {
				t.Fatalf("concealed %d ms, want %d", got, tc.wantMs)
			}
			if got := metrics.AudioConcealed.Value() - counted; got != uint64(tc.wantMs/20) {
				t.Fatalf("sipcast_audio_concealed_packets_total went up by %d, want %d", got, tc.wantMs/20)
			}
			if want := time.Duration(len(pkts)) * 20 * time.Millisecond; a.end != want {
				t.Fatalf("the audio ends at %v, want %v", a.end, want)
			}
		})
	}
}

// oggPackets reads the Opus packets of an Ogg file, less its two header packets.
func oggPackets(t *testing.T, path string) [][]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	var cur []byte
	for len(b) >= 27 && string(b[:4]) == "OggS" {
		n := int(b[26])
		segs, body := b[27:27+n], b[27+n:]
		for _, s := range segs {
			cur = append(cur, body[:s]...)
			body = body[s:]
			if s < 255 {
				out, cur = append(out, cur), nil
			}
		}
		b = body
	}
	if len(out) < 3 {
		t.Fatalf("%s: %d packets", path, len(out))
	}
	return out[2:]
}
