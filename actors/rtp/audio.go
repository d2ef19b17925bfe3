package rtp

import (
	"time"

	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/actors/stream"
	"github.com/sipcast/sipcast/media/aac"
	"github.com/sipcast/sipcast/media/clock"
	"github.com/sipcast/sipcast/media/g711"
)

// maxGapFill is the longest loss that is filled with silence to keep AAC continuous; a longer gap
// (or a backwards jump) is a restart of the source and re-anchors the audio timeline instead.
const maxGapFill = time.Second

// audioPipe decodes G.711 and encodes AAC-LC, placing each AAC frame on the call's timeline.
type audioPipe struct {
	alaw     bool
	inRate   int
	enc      *aac.Encoder
	timeline *clock.Timeline
	ssrc     uint32
	pcm      []int16
	silence  []int16
	// anchor is the timeline position of the first sample fed to the encoder since the last
	// re-anchor, and fed the number of input samples fed since then: AAC frame k starts at
	// anchor + k*1024/outRate.
	anchor  time.Duration
	fed     int64
	emitted int64
	started bool
}

func newAudioPipe(c *Configure, outRate int) (*audioPipe, error) {
	enc, err := aac.NewEncoder(aac.Config{InputRate: int(c.ClockRate), OutputRate: outRate, Channels: 1})
	if err != nil {
		return nil, err
	}
	return &audioPipe{
		alaw:     c.Codec == "PCMA",
		inRate:   int(c.ClockRate),
		enc:      enc,
		timeline: clock.NewTimeline(c.ClockRate, c.Zero),
	}, nil
}

func (p *audioPipe) close() { p.enc.Close() }

func (p *audioPipe) push(pkt *pionrtp.Packet, arrival time.Time) []*stream.AudioFrame {
	if pkt.SSRC != p.ssrc {
		p.ssrc = pkt.SSRC
		p.timeline.Reset()
		p.started = false
	}
	pts := p.timeline.Map(pkt.Timestamp, arrival)
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
		// A late or duplicate packet: its samples were already filled in.
		return nil
	}
	if p.alaw {
		p.pcm = g711.DecodeAlaw(p.pcm[:0], pkt.Payload)
	} else {
		p.pcm = g711.DecodeUlaw(p.pcm[:0], pkt.Payload)
	}
	return p.feed(out, p.pcm)
}

// feed encodes pcm and appends the AAC frames that completed to out.
func (p *audioPipe) feed(out []*stream.AudioFrame, pcm []int16) []*stream.AudioFrame {
	aus, err := p.enc.Encode(pcm)
	p.fed += int64(len(pcm))
	if err != nil {
		return out
	}
	rate := time.Duration(p.enc.SampleRate())
	for _, au := range aus {
		data := make([]byte, len(au))
		copy(data, au)
		out = append(out, &stream.AudioFrame{
			// AU k starts at output sample k*1024 - Delay(): the encoder's priming comes first.
			PTS:  p.anchor + time.Duration(p.emitted*1024-int64(p.enc.Delay()))*time.Second/rate,
			Data: data,
		})
		p.emitted++
	}
	return out
}
