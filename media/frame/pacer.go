package frame

import (
	"time"

	"github.com/sipcast/sipcast/media/aac"
)

// MaxGapFill is the longest hole in a call's audio filled with silence to keep AAC continuous; a
// longer one (or a jump back) is a restart of the source and re-anchors instead.
const MaxGapFill = time.Second

// AACPacer encodes a line's PCM to AAC and stamps each AAC frame by the samples fed since an
// anchor, so the AAC stream stays continuous however the packets were timed: holes shorter than
// MaxGapFill are filled with silence, a late or repeated packet is dropped. Both the RTP actor's
// G.711 pipe and the transcoder (Opus, Speex) use it. It owns the encoder.
type AACPacer struct {
	enc     *aac.Encoder
	inRate  int
	anchor  time.Duration // timeline position of the first sample fed since the last anchor
	fed     int64         // input samples fed since the anchor
	emitted int64         // AAC frames out since the anchor
	started bool
	silence []int16
	out     []*AudioFrame // returned by Push, reused
}

// NewAACPacer paces enc, which takes PCM at inRate.
func NewAACPacer(enc *aac.Encoder, inRate int) *AACPacer {
	return &AACPacer{enc: enc, inRate: inRate}
}

// Close frees the encoder.
func (p *AACPacer) Close() { p.enc.Close() }

// Restart makes the next Push anchor anew (a new source: its timestamps share nothing with the
// old one's).
func (p *AACPacer) Restart() { p.started = false }

// Push feeds pcm, whose first sample belongs at pts, and returns the AAC frames completed. The
// frames are the caller's; the slice that holds them is reused by the next Push.
func (p *AACPacer) Push(pts time.Duration, pcm []int16) []*AudioFrame {
	if !p.started {
		p.started, p.anchor, p.fed, p.emitted = true, pts, 0, 0
	}
	clear(p.out) // the frames are the caller's: the pacer keeps no reference
	out := p.out[:0]
	expected := p.anchor + time.Duration(p.fed)*time.Second/time.Duration(p.inRate)
	switch gap := pts - expected; {
	case gap > MaxGapFill || gap < -MaxGapFill:
		p.anchor, p.fed, p.emitted = pts, 0, 0
	case gap >= 20*time.Millisecond:
		n := int(gap * time.Duration(p.inRate) / time.Second)
		if cap(p.silence) < n {
			p.silence = make([]int16, n)
		}
		out = p.feed(out, p.silence[:n])
	case gap < -10*time.Millisecond:
		// A late or duplicate packet: its samples were already filled in.
		return nil
	}
	p.out = p.feed(out, pcm)
	return p.out
}

// feed encodes pcm and appends the AAC frames that completed to out.
func (p *AACPacer) feed(out []*AudioFrame, pcm []int16) []*AudioFrame {
	aus, err := p.enc.Encode(pcm)
	p.fed += int64(len(pcm))
	if err != nil {
		return out
	}
	rate := time.Duration(p.enc.SampleRate())
	for _, au := range aus {
		out = append(out, &AudioFrame{
			// AU k starts at output sample k*1024 - Delay(): the encoder's priming comes first.
			PTS:  p.anchor + time.Duration(p.emitted*1024-int64(p.enc.Delay()))*time.Second/rate,
			Data: append([]byte(nil), au...),
		})
		p.emitted++
	}
	return out
}
