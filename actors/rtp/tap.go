package rtp

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/media/frame"
)

// The tap copies the device's media, as it was coded, to the call's viewers hub (WHEP), after
// the jitter buffer and depacketiser have validated it: H.264 access units and VP8 frames as the
// pipes make them, audio as each packet's payload. It is one more subscriber kind, so the media
// is received and depacketised once for every consumer.

// Tap asks an RTP actor to copy the device's media, as the device coded it, to these actors
// (replacing the list): the call's viewers hub, which passes it to browsers without transcoding.
// The actor answers at once, and after every codec change, with a Source.
type Tap struct {
	PIDs []*actor.PID
}

// Retap is what a tap that restarted sends the call: it lost the Sources it knew, so the call
// sends the lines a Tap for it again and each answers with its Source.
type Retap struct {
	PID *actor.PID
}

// Source tells a tap what one media line of the call carries now.
type Source struct {
	// Video is true for the video line.
	Video bool
	// Codec is the negotiated encoding name, upper-case ("H264", "VP8", "PCMU", "PCMA",
	// "OPUS", "SPEEX"); "" when the line carries nothing.
	Codec     string
	ClockRate uint32
	Channels  int
	// SPS and PPS of H.264, when the SDP had them.
	SPS, PPS []byte
	// Line is the RTP actor: keyframe requests (DeviceKeyframe) go to it.
	Line *actor.PID
}

// handleTap replaces the taps and tells them what the line carries.
func (a *Actor) handleTap(m *Tap) {
	a.kept.taps = m.PIDs
	a.describeTo(m.PIDs)
}

// describeTo sends the line's Source to pids.
func (a *Actor) describeTo(pids []*actor.PID) {
	if len(pids) == 0 {
		return
	}
	src := &Source{Video: a.cfg.Kind == Video, Line: a.self}
	if c := a.conf; c != nil {
		src.Codec, src.ClockRate, src.Channels, src.SPS, src.PPS = c.Codec, c.ClockRate, c.Channels, c.SPS, c.PPS
	}
	for _, pid := range pids {
		a.system.Root.Send(pid, src)
	}
}

// tapVideo copies a frame of the video pipes (VideoFrame, EncodedVideo) to the taps.
func (a *Actor) tapVideo(msg any) {
	for _, pid := range a.kept.taps {
		a.system.Root.Send(pid, msg)
	}
}

// audioTap wraps an audio line's pipe: after the pipe took an in-order packet, it copies the
// packet's payload to the taps, at the place the pipe gave it on the call's timeline.
type audioTap struct {
	pipe
	a *Actor
}

func (t *audioTap) push(pkt *pionrtp.Packet, arrival time.Time, lost int) {
	t.pipe.push(pkt, arrival, lost)
	taps := t.a.kept.taps
	if len(taps) == 0 || len(pkt.Payload) == 0 {
		return
	}
	tl := t.pipe.timeline()
	if tl == nil {
		return
	}
	pts, ok := tl.Peek(pkt.Timestamp)
	if !ok {
		return
	}
	msg := &frame.RawAudio{PTS: pts, Data: append([]byte(nil), pkt.Payload...)}
	for _, pid := range taps {
		t.a.system.Root.Send(pid, msg)
	}
}
