package rtp

import (
	"time"

	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/media/aac"
	"github.com/sipcast/sipcast/media/clock"
	"github.com/sipcast/sipcast/media/frame"
	"github.com/sipcast/sipcast/media/g711"
	"github.com/sipcast/sipcast/protocol/sdp"
)

// g711Pipe decodes G.711 and hands the PCM to an AAC pacer, which places each AAC frame on the
// call's timeline, for the publishers.
type g711Pipe struct {
	out   sink
	alaw  bool
	pacer *frame.AACPacer
	tl    *clock.Timeline
	ssrc  uint32
	pcm   []int16
}

// newG711Pipe encodes to AAC at outRate (0: the G.711 rate).
func newG711Pipe(c *Configure, outRate int, out sink) (*g711Pipe, error) {
	enc, err := aac.NewEncoder(aac.Config{InputRate: int(c.ClockRate), OutputRate: outRate, Channels: 1})
	if err != nil {
		return nil, err
	}
	return &g711Pipe{
		out:   out,
		alaw:  c.Codec == sdp.NamePCMA,
		pacer: frame.NewAACPacer(enc, int(c.ClockRate)),
		tl:    clock.NewTimeline(c.ClockRate, c.Zero),
	}, nil
}

func (p *g711Pipe) timeline() *clock.Timeline { return p.tl }
func (p *g711Pipe) close()                    { p.pacer.Close() }

// push decodes a packet. Loss asks for nothing: audio has no key frames, and the next packet's
// timestamp places it.
func (p *g711Pipe) push(pkt *pionrtp.Packet, arrival time.Time, _ int) {
	if pkt.SSRC != p.ssrc {
		p.ssrc = pkt.SSRC
		p.tl.Reset()
		p.pacer.Restart()
	}
	pts := p.tl.Map(pkt.Timestamp, arrival)
	if p.alaw {
		p.pcm = g711.DecodeAlaw(p.pcm[:0], pkt.Payload)
	} else {
		p.pcm = g711.DecodeUlaw(p.pcm[:0], pkt.Payload)
	}
	for _, f := range p.pacer.Push(pts, p.pcm) {
		p.out.publish(f)
	}
}
