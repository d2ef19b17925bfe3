package rtp

import (
	"time"

	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/actors/stream"
	"github.com/sipcast/sipcast/media/clock"
	"github.com/sipcast/sipcast/media/g711"
)

// passPipe passes the device's audio through to RTMP without transcoding: G.711 (converted
// between A-law and µ-law when the device chose the other law) or Speex. FLV carries both, and
// passing through costs nothing.
type passPipe struct {
	in, out  stream.AudioCodec
	timeline *clock.Timeline
	ssrc     uint32
	pcm      []int16
}

func newPassPipe(c *Configure) *passPipe {
	return &passPipe{in: deviceCodec(c.Codec), out: c.Output, timeline: clock.NewTimeline(c.ClockRate, c.Zero)}
}

// deviceCodec names the device's codec in stream terms.
func deviceCodec(name string) stream.AudioCodec {
	switch name {
	case "PCMU":
		return stream.PCMU
	case "PCMA":
		return stream.PCMA
	case "SPEEX":
		return stream.Speex
	}
	return stream.NoAudio
}

// canPass reports whether a device codec can reach RTMP as out without a transcoder.
func canPass(device string, out stream.AudioCodec) bool {
	in := deviceCodec(device)
	switch out {
	case stream.PCMU, stream.PCMA:
		return in == stream.PCMU || in == stream.PCMA
	case stream.Speex:
		return in == stream.Speex
	}
	return false
}

func (p *passPipe) push(pkt *pionrtp.Packet, arrival time.Time) []*stream.AudioFrame {
	if pkt.SSRC != p.ssrc {
		p.ssrc = pkt.SSRC
		p.timeline.Reset()
	}
	if len(pkt.Payload) == 0 {
		return nil
	}
	var data []byte
	switch {
	case p.in == p.out:
		data = append([]byte(nil), pkt.Payload...)
	case p.in == stream.PCMA: // → µ-law
		p.pcm = g711.DecodeAlaw(p.pcm[:0], pkt.Payload)
		data = g711.EncodeUlaw(nil, p.pcm)
	default: // µ-law → A-law
		p.pcm = g711.DecodeUlaw(p.pcm[:0], pkt.Payload)
		data = g711.EncodeAlaw(nil, p.pcm)
	}
	return []*stream.AudioFrame{{PTS: p.timeline.Map(pkt.Timestamp, arrival), Data: data}}
}

// EffectiveAudio is the audio codec a call's stream will carry when the device sends codec and
// the RTMP side wants want: the passthrough when possible, else AAC.
func EffectiveAudio(device string, want stream.AudioCodec) stream.AudioCodec {
	if canPass(device, want) {
		return want
	}
	return stream.AAC
}
