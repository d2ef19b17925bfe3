package rtp

import (
	"errors"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/internal/metrics"
	"github.com/sipcast/sipcast/media/clock"
	"github.com/sipcast/sipcast/media/frame"
	"github.com/sipcast/sipcast/protocol/rtpvp8"
)

// vp8Pipe turns VP8 RTP packets into frames on the call's timeline, for the video transcoder.
type vp8Pipe struct {
	depack   rtpvp8.Depacketizer
	timeline *clock.Timeline
	ssrc     uint32
	haveKey  bool
}

func newVP8Pipe(c *Configure) *vp8Pipe {
	return &vp8Pipe{timeline: clock.NewTimeline(c.ClockRate, c.Zero)}
}

// push returns the frame a packet completed (nil if none), and whether a frame was lost.
func (v *vp8Pipe) push(pkt *pionrtp.Packet, arrival time.Time) (*frame.EncodedVideo, bool) {
	if pkt.SSRC != v.ssrc {
		v.ssrc = pkt.SSRC
		v.depack.Reset()
		v.timeline.Reset()
		v.haveKey = false
	}
	f, err := v.depack.Push(pkt)
	// Any error dropped a frame (lost, too big, or a malformed descriptor or key frame header):
	// the picture is broken until the next key frame either way.
	lost := err != nil
	if errors.Is(err, rtpvp8.ErrMalformed) {
		metrics.MediaRejected.With(metrics.RejectedVP8).Inc()
	}
	if f.Data == nil {
		return nil, lost
	}
	if f.Key {
		v.haveKey = true
	}
	if !v.haveKey {
		// Inter frames before the first key frame decode to nothing.
		return nil, lost
	}
	return &frame.EncodedVideo{PTS: v.timeline.Map(f.TS, arrival), Data: f.Data, Key: f.Key,
		Width: f.Width, Height: f.Height}, lost
}

// routeVP8 depacketises and sends complete frames to the transcoder; a lost frame (or the
// transcoder's DeviceKeyframe) asks the device for a key frame.
func (a *Actor) routeVP8(ctx actor.Context, pkt *pionrtp.Packet, arrival time.Time) {
	f, lost := a.media.vp8.push(pkt, arrival)
	if lost {
		a.wantKey = true
		a.requestKeyframe(false)
	}
	if f == nil {
		return
	}
	if f.Key {
		a.wantKey = false
	}
	if a.conf.Transcoder != nil {
		ctx.Send(a.conf.Transcoder, f)
	}
}
