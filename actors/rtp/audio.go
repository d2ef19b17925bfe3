package rtp

import (
	"time"

	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/media/aac"
	"github.com/sipcast/sipcast/media/clock"
	"github.com/sipcast/sipcast/media/frame"
	"github.com/sipcast/sipcast/media/g711"
)

// audioPipe decodes G.711 and hands the PCM to an AAC pacer, which places each AAC frame on the
// call's timeline.
type audioPipe struct {
	alaw     bool
	pacer    *frame.AACPacer
	timeline *clock.Timeline
	ssrc     uint32
	pcm      []int16
}

func newAudioPipe(c *Configure, outRate int) (*audioPipe, error) {
	enc, err := aac.NewEncoder(aac.Config{InputRate: int(c.ClockRate), OutputRate: outRate, Channels: 1})
	if err != nil {
		return nil, err
	}
	return &audioPipe{
		alaw:     c.Codec == "PCMA",
		pacer:    frame.NewAACPacer(enc, int(c.ClockRate)),
		timeline: clock.NewTimeline(c.ClockRate, c.Zero),
	}, nil
}

func (p *audioPipe) close() { p.pacer.Close() }

func (p *audioPipe) push(pkt *pionrtp.Packet, arrival time.Time) []*frame.AudioFrame {
	if pkt.SSRC != p.ssrc {
		p.ssrc = pkt.SSRC
		p.timeline.Reset()
		p.pacer.Restart()
	}
	pts := p.timeline.Map(pkt.Timestamp, arrival)
	if p.alaw {
		p.pcm = g711.DecodeAlaw(p.pcm[:0], pkt.Payload)
	} else {
		p.pcm = g711.DecodeUlaw(p.pcm[:0], pkt.Payload)
	}
	return p.pacer.Push(pts, p.pcm)
}
