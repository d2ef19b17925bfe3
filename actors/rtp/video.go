package rtp

import (
	"errors"
	"time"

	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/internal/metrics"
	"github.com/sipcast/sipcast/media/clock"
	"github.com/sipcast/sipcast/media/frame"
	"github.com/sipcast/sipcast/protocol/rtph264"
)

// videoPipe turns H.264 RTP packets into access units on the call's timeline.
type videoPipe struct {
	depack   rtph264.Depacketizer
	timeline *clock.Timeline
	ssrc     uint32
	sps, pps []byte
	haveKey  bool
}

func newVideoPipe(c *Configure, _ func() time.Time) *videoPipe {
	v := &videoPipe{timeline: clock.NewTimeline(c.ClockRate, c.Zero)}
	// The SDP's sprop-parameter-sets come from the network too: the stream waits for in-band
	// ones rather than hand a muxer a set it cannot parse.
	if _, err := rtph264.CheckSPS(c.SPS); err == nil && rtph264.CheckPPS(c.PPS) == nil {
		v.sps, v.pps = c.SPS, c.PPS
	}
	return v
}

// push returns the frame an AU completed (nil if none), and whether data was lost so that the
// picture is broken until the next keyframe.
func (v *videoPipe) push(pkt *pionrtp.Packet, arrival time.Time) (*frame.VideoFrame, bool) {
	if pkt.SSRC != v.ssrc {
		// A new source (device restart, re-INVITE): its timestamps share nothing with the old one's.
		v.ssrc = pkt.SSRC
		v.depack.Reset()
		v.timeline.Reset()
	}
	au, ts, err := v.depack.Push(pkt)
	lost := err != nil && errors.Is(err, rtph264.ErrFragmentLost)
	if len(au) == 0 {
		return nil, lost
	}
	if rtph264.CheckAU(au) != nil {
		// A parameter set no muxer could take (issue #12): the unit goes nowhere, and the picture
		// is broken until a keyframe with good ones comes.
		metrics.MediaRejected.With(metrics.RejectedH264Params).Inc()
		return nil, true
	}
	if sps, pps := rtph264.ExtractParams(au); sps != nil || pps != nil {
		if sps != nil {
			v.sps = sps
		}
		if pps != nil {
			v.pps = pps
		}
	}
	key := rtph264.IsKeyFrame(au)
	if key {
		v.haveKey = true
	}
	if !v.haveKey {
		// Frames before the first IDR reference pictures nobody has: useless to every publisher.
		return nil, lost
	}
	return &frame.VideoFrame{
		PTS: v.timeline.Map(ts, arrival),
		AU:  au,
		Key: key,
		SPS: v.sps,
		PPS: v.pps,
	}, lost
}
