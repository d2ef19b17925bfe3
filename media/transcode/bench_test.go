package transcode

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/sipcast/sipcast/media/aac"
	"github.com/sipcast/sipcast/media/g711"
)

// The benchmarks of this file are the CPU cost of one call's transcoding
// path, reported as "%core": ns per op over the media time one op covers (a
// 20 ms packet, a 40 ms picture at 25 fps), in percent of one core.

const packetTime = 20 * time.Millisecond

func reportCore(b *testing.B, mediaPerOp time.Duration) {
	perOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.ReportMetric(100*perOp/float64(mediaPerOp.Nanoseconds()), "%core")
}

// vp8Clip encodes a VP8 clip of the given size with the ffmpeg CLI, as a
// softphone sends it: 25 fps, realtime libvpx, a key frame every 3 s.
func vp8Clip(b *testing.B, size string, kbps int) []ivfFrame {
	ffmpeg := requireFFmpeg(b)
	path := filepath.Join(b.TempDir(), "clip.ivf")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, ffmpeg, "-hide_banner", "-v", "error", "-nostdin", "-f", "lavfi", "-i",
		"testsrc2=size="+size+":rate=25:duration=6", "-c:v", "libvpx", "-b:v", fmt.Sprint(kbps)+"k", "-g", "75",
		"-deadline", "realtime", "-cpu-used", "8", "-lag-in-frames", "0", path).CombinedOutput()
	if err != nil {
		b.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	return readIVF(b, path)
}

// BenchmarkVP8ToH264 is one picture per op: decode VP8, encode H.264.
func BenchmarkVP8ToH264(b *testing.B) {
	for _, c := range []struct {
		size  string
		kbps  int
		rates []int
	}{
		{"640x360", 600, []int{800_000}},
		{"1280x720", 1500, []int{2_000_000}},
	} {
		for _, preset := range []string{"ultrafast", "veryfast"} {
			b.Run(c.size+"/"+preset, func(b *testing.B) {
				frames := vp8Clip(b, c.size, c.kbps)
				tr, err := NewVideoTranscoder(VideoConfig{Bitrate: c.rates[0], Preset: preset})
				if err != nil {
					b.Fatal(err)
				}
				defer tr.Close()
				i, bytes := 0, 0
				b.ReportAllocs()
				for b.Loop() {
					f := frames[i%len(frames)]
					aus, err := tr.Transcode(f.data, f.key, time.Duration(i)*frameInterval)
					if err != nil {
						b.Fatal(err)
					}
					for _, au := range aus {
						for _, n := range au.NALUs {
							bytes += len(n)
						}
					}
					i++
				}
				reportCore(b, frameInterval)
				b.ReportMetric(float64(bytes*8)/(float64(i)*frameInterval.Seconds())/1000, "kbit/s")
			})
		}
	}
}

// BenchmarkToAAC is one 20 ms packet per op through a whole audio path:
// decode (Opus, Speex, or G.711 in Go) and encode AAC at the decoder's rate.
func BenchmarkToAAC(b *testing.B) {
	ulaw := g711.EncodeUlaw(nil, toneAt(8000))
	paths := []struct {
		name   string
		rate   int
		decode func(b *testing.B) func(i int) []int16
	}{
		{"g711-8k", 8000, func(b *testing.B) func(int) []int16 {
			pcm := make([]int16, 0, 160)
			return func(i int) []int16 {
				off := (i * 160) % (len(ulaw) - 160)
				pcm = g711.DecodeUlaw(pcm[:0], ulaw[off:off+160])
				return pcm
			}
		}},
		{"opus-48k", 48000, audioPath(AudioConfig{Codec: Opus, ClockRate: 48000, Channels: 2}, "tone.opus")},
		{"speex-16k", 16000, audioPath(AudioConfig{Codec: Speex, ClockRate: 16000}, "speex-wb16x3.hex")},
		{"speex-8k", 8000, audioPath(AudioConfig{Codec: Speex, ClockRate: 8000}, "speex-nb8.hex")},
	}
	for _, p := range paths {
		b.Run(p.name, func(b *testing.B) {
			enc, err := aac.NewEncoder(aac.Config{InputRate: p.rate})
			if err != nil {
				b.Fatal(err)
			}
			defer enc.Close()
			decode := p.decode(b)
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				if _, err := enc.Encode(decode(i)); err != nil {
					b.Fatal(err)
				}
				i++
			}
			reportCore(b, packetTime)
		})
	}
}

// audioPath decodes the test file's packets (Speex frames) in a loop; each
// packet or frame is 20 ms.
func audioPath(cfg AudioConfig, file string) func(b *testing.B) func(int) []int16 {
	return func(b *testing.B) func(int) []int16 {
		d, err := NewAudioDecoder(cfg)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(d.Close)
		pkts := packetsOf(b, file)
		return func(i int) []int16 {
			pcm, err := d.Decode(pkts[i%len(pkts)])
			if err != nil {
				b.Fatal(err)
			}
			return pcm
		}
	}
}

// toneAt is 10 s of a 440 Hz tone at rate.
func toneAt(rate int) []int16 {
	out := make([]int16, 10*rate)
	for i := range out {
		// A triangle is enough for G.711's cost, which does not depend on
		// the signal; its AAC cost is close to a sine's.
		ph := (i * 440 * 4 / rate) % 4
		v := (i * 440 * 4 % rate) * 8000 / rate
		switch ph {
		case 0:
			out[i] = int16(v)
		case 1:
			out[i] = int16(8000 - v)
		case 2:
			out[i] = int16(-v)
		default:
			out[i] = int16(v - 8000)
		}
	}
	return out
}
