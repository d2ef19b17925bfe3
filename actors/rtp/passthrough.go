package rtp

import (
	"time"

	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/media/clock"
	"github.com/sipcast/sipcast/media/frame"
	"github.com/sipcast/sipcast/media/g711"
	"github.com/sipcast/sipcast/protocol/sdp"
)

// passPipe passes the device's audio through to RTMP without transcoding: G.711 (converted
// between A-law and µ-law when the device chose the other law) or Speex. FLV carries both, and
// passing through costs nothing.
type passPipe struct {
	sink    sink
	in, out frame.AudioCodec
	tl      *clock.Timeline
	ssrc    uint32
	pcm     []int16
}

func newPassPipe(c *Configure, out sink) *passPipe {
	return &passPipe{sink: out, in: deviceCodec(c.Codec), out: c.Output, tl: clock.NewTimeline(c.ClockRate, c.Zero)}
}

func (p *passPipe) timeline() *clock.Timeline { return p.tl }
func (p *passPipe) close()                    {}

// deviceCodec names the device's codec in stream terms.
func deviceCodec(name string) frame.AudioCodec {
	switch name {
	case sdp.NamePCMU:
		return frame.PCMU
	case sdp.NamePCMA:
		return frame.PCMA
	case sdp.NameSpeex:
		return frame.Speex
	}
	return frame.NoAudio
}

// canPass reports whether a device codec can reach RTMP as out without a transcoder.
func canPass(device string, out frame.AudioCodec) bool {
	in := deviceCodec(device)
	switch out {
	case frame.PCMU, frame.PCMA:
		return in == frame.PCMU || in == frame.PCMA
	case frame.Speex:
		return in == frame.Speex
	}
	return false
}

func (p *passPipe) push(pkt *pionrtp.Packet, arrival time.Time, _ int) {
	if pkt.SSRC != p.ssrc {
		p.ssrc = pkt.SSRC
		p.tl.Reset()
	}
	if len(pkt.Payload) == 0 {
		return
	}
	var data []byte
	switch {
	case p.in == p.out:
		data = append([]byte(nil), pkt.Payload...)
	case p.in == frame.PCMA: // → µ-law
		p.pcm = g711.DecodeAlaw(p.pcm[:0], pkt.Payload)
		data = g711.EncodeUlaw(nil, p.pcm)
	default: // µ-law → A-law
		p.pcm = g711.DecodeUlaw(p.pcm[:0], pkt.Payload)
		data = g711.EncodeAlaw(nil, p.pcm)
	}
	p.sink.publish(&frame.AudioFrame{PTS: p.tl.Map(pkt.Timestamp, arrival), Data: data})
}

// EffectiveAudio is the audio codec a call's stream will carry when the device sends codec and
// the RTMP side wants want: the passthrough when possible, else AAC.
func EffectiveAudio(device string, want frame.AudioCodec) frame.AudioCodec {
	if canPass(device, want) {
		return want
	}
	return frame.AAC
}
