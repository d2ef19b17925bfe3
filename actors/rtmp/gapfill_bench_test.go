package rtmp

import (
	"testing"
	"time"

	"github.com/bluenviron/gortmplib"
	"github.com/bluenviron/gortmplib/pkg/codecs"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"

	"github.com/sipcast/sipcast/media/frame"
)

// BenchmarkGapFillSecond is what one second of a filled gap costs a publisher (audio and video
// both filled): ten ticks of the filler and the frames they give — one re-sent keyframe of the
// 640x360 capture, about eight silent AAC frames at 8 kHz — written through gortmplib's Writer
// into io.Discard. ns/op divided by 1e9 is the share of one core a filled call takes.
func BenchmarkGapFillSecond(b *testing.B) {
	aus, sps, pps := captureAUs(b)
	conn, err := newDiscardConn()
	if err != nil {
		b.Fatal(err)
	}
	video := &gortmplib.Track{Codec: &codecs.H264{SPS: sps, PPS: pps}}
	audio := &gortmplib.Track{Codec: &codecs.MPEG4Audio{Config: &mpeg4audio.AudioSpecificConfig{
		Type: mpeg4audio.ObjectTypeAACLC, SampleRate: 8000, ChannelCount: 1}}}
	w := &gortmplib.Writer{Conn: conn, Tracks: []*gortmplib.Track{video, audio}}
	if err := w.Initialize(); err != nil {
		b.Fatal(err)
	}
	g := &gapFiller{after: DefaultGapFill, audioStep: 128 * time.Millisecond}
	g.realVideo(&frame.VideoFrame{AU: aus[0], Key: true, SPS: sps, PPS: pps}, at(0))
	g.realAudio(0, at(0))
	silence := make([]byte, 6) // libfdk/libav's silent AAC-LC frame is a few bytes
	now := at(time.Second)
	b.ReportAllocs()
	for b.Loop() {
		for range time.Second / fillTick {
			now = now.Add(fillTick)
			out := g.tick(now)
			for _, pts := range out.audio {
				if err := w.WriteMPEG4Audio(audio, pts, silence); err != nil {
					b.Fatal(err)
				}
			}
			if v := out.video; v != nil {
				if err := w.WriteH264(video, v.PTS, v.PTS, v.AU); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
}
