package rtp

import (
	"log/slog"
	"time"

	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/media/clock"
	"github.com/sipcast/sipcast/media/frame"
	"github.com/sipcast/sipcast/protocol/rtpopus"
	"github.com/sipcast/sipcast/protocol/rtpspeex"
	"github.com/sipcast/sipcast/protocol/sdp"
)

// codedPipe turns Opus or Speex RTP packets into EncodedAudio on the call's timeline, for the
// audio transcoder (decoder + AAC encoder).
type codedPipe struct {
	out    sink
	log    *slog.Logger
	opus   rtpopus.Depacketizer
	speex  *rtpspeex.Depacketizer // nil for Opus
	tl     *clock.Timeline
	ssrc   uint32
	warned bool
}

func newCodedPipe(c *Configure, log *slog.Logger, out sink) (*codedPipe, error) {
	p := &codedPipe{out: out, log: log, tl: clock.NewTimeline(c.ClockRate, c.Zero)}
	if c.Codec == sdp.NameSpeex {
		d, err := rtpspeex.NewDepacketizer(int(c.ClockRate))
		if err != nil {
			return nil, err
		}
		p.speex = d
	}
	return p, nil
}

func (p *codedPipe) timeline() *clock.Timeline { return p.tl }
func (p *codedPipe) close()                    {}

// push sends the frames of a packet to the transcoder, with the count of packets lost before
// it, so its decoder can conceal them.
func (p *codedPipe) push(pkt *pionrtp.Packet, arrival time.Time, lost int) {
	if f := p.decode(pkt, arrival); f != nil {
		f.Lost = lost
		p.out.transcode(f)
	}
}

func (p *codedPipe) decode(pkt *pionrtp.Packet, arrival time.Time) *frame.EncodedAudio {
	if pkt.SSRC != p.ssrc {
		p.ssrc = pkt.SSRC
		p.opus.Reset()
		if p.speex != nil {
			p.speex.Reset()
		}
		p.tl.Reset()
	}
	var frames [][]byte
	samples := 0
	var err error
	if p.speex != nil {
		var sp rtpspeex.Packet
		var ok bool
		if sp, ok, err = p.speex.Push(pkt); ok {
			frames, err = rtpspeex.Split(sp.Data, nil)
			samples = sp.Samples
		}
	} else {
		var op rtpopus.Packet
		var ok bool
		if op, ok, err = p.opus.Push(pkt); ok {
			frames, samples = [][]byte{op.Data}, op.Info.Samples
		}
	}
	if err != nil && !p.warned {
		// Once per stream: a device that sends one bad packet usually sends many.
		p.warned = true
		p.log.Warn("audio packet dropped", "err", err)
	}
	if len(frames) == 0 || err != nil {
		return nil
	}
	return &frame.EncodedAudio{PTS: p.tl.Map(pkt.Timestamp, arrival), Frames: frames, Samples: samples}
}
