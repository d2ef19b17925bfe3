package transcoder

import (
	"errors"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/actors/stream"
	"github.com/sipcast/sipcast/media/aac"
	"github.com/sipcast/sipcast/media/transcode"
)

// maxGapFill is the longest hole in the audio filled with silence to keep AAC continuous; a
// longer one (or a jump back) re-anchors, as in the RTP actor's G.711 pipe.
const maxGapFill = time.Second

// handleAudio decodes one packet's frames and publishes the AAC frames that completed.
func (a *Actor) handleAudio(ctx actor.Context, m *stream.EncodedAudio) {
	if a.decoder == nil {
		return
	}
	pts := m.PTS
	for _, f := range m.Frames {
		pcm, err := a.decoder.Decode(f)
		if errors.Is(err, transcode.ErrDecode) || len(pcm) == 0 {
			// Skipped: the next packet's timestamp leaves a gap the pacer fills.
			continue
		}
		if err != nil {
			panic(err)
		}
		for _, out := range a.pacer.push(pts, pcm) {
			a.publish(ctx, out)
		}
		pts += time.Duration(len(pcm)) * time.Second / time.Duration(a.pacer.inRate)
	}
}

// pacer encodes PCM to AAC and stamps each AAC frame by the samples fed since an anchor, so the
// AAC stream stays continuous however the packets were timed: holes shorter than maxGapFill are
// filled with silence, a late or repeated packet is dropped.
type pacer struct {
	enc     *aac.Encoder
	inRate  int
	anchor  time.Duration // timeline position of the first sample fed since the last anchor
	fed     int64         // input samples fed since the anchor
	emitted int64         // AAC frames out since the anchor
	started bool
	silence []int16
}

func newPacer(enc *aac.Encoder, inRate int) *pacer { return &pacer{enc: enc, inRate: inRate} }

func (p *pacer) close() { p.enc.Close() }

// push feeds pcm, whose first sample belongs at pts, and returns the AAC frames completed.
func (p *pacer) push(pts time.Duration, pcm []int16) []*stream.AudioFrame {
	if !p.started {
		p.started, p.anchor, p.fed, p.emitted = true, pts, 0, 0
	}
	var out []*stream.AudioFrame
	expected := p.anchor + time.Duration(p.fed)*time.Second/time.Duration(p.inRate)
	switch gap := pts - expected; {
	case gap > maxGapFill || gap < -maxGapFill:
		p.anchor, p.fed, p.emitted = pts, 0, 0
	case gap >= 20*time.Millisecond:
		n := int(gap * time.Duration(p.inRate) / time.Second)
		if cap(p.silence) < n {
			p.silence = make([]int16, n)
		}
		out = p.feed(out, p.silence[:n])
	case gap < -10*time.Millisecond:
		return nil
	}
	return p.feed(out, pcm)
}

func (p *pacer) feed(out []*stream.AudioFrame, pcm []int16) []*stream.AudioFrame {
	aus, err := p.enc.Encode(pcm)
	p.fed += int64(len(pcm))
	if err != nil {
		return out
	}
	rate := time.Duration(p.enc.SampleRate())
	for _, au := range aus {
		out = append(out, &stream.AudioFrame{
			// AU k starts at output sample k*1024 - Delay(): the encoder's priming comes first.
			PTS:  p.anchor + time.Duration(p.emitted*1024-int64(p.enc.Delay()))*time.Second/rate,
			Data: append([]byte(nil), au...),
		})
		p.emitted++
	}
	return out
}
