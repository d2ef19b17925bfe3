package rtp

import (
	"errors"
	"time"

	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/internal/metrics"
	"github.com/sipcast/sipcast/media/clock"
	"github.com/sipcast/sipcast/media/frame"
	"github.com/sipcast/sipcast/protocol/rtpvp8"
)

// vp8Pipe turns VP8 RTP packets into frames on the call's timeline, for the video transcoder:
// RTMP carries no VP8.
type vp8Pipe struct {
	out     sink
	depack  rtpvp8.Depacketizer
	tl      *clock.Timeline
	ssrc    uint32
	haveKey bool
}

func newVP8Pipe(c *Configure, out sink) *vp8Pipe {
	return &vp8Pipe{out: out, tl: clock.NewTimeline(c.ClockRate, c.Zero)}
}

func (v *vp8Pipe) timeline() *clock.Timeline { return v.tl }
func (v *vp8Pipe) close()                    {}

// push sends the frame a packet completes to the transcoder; a lost frame (or the transcoder's
// DeviceKeyframe, which the actor takes) asks the device for a key frame.
func (v *vp8Pipe) push(pkt *pionrtp.Packet, arrival time.Time, lost int) {
	if lost > 0 {
		v.out.needKey()
	}
	f, broken := v.decode(pkt, arrival)
	if broken {
		v.out.needKey()
	}
	if f == nil {
		return
	}
	if f.Key {
		v.out.gotKey(nil)
	}
	v.out.transcode(f)
}

// decode returns the frame a packet completed (nil if none), and whether a frame was lost.
func (v *vp8Pipe) decode(pkt *pionrtp.Packet, arrival time.Time) (*frame.EncodedVideo, bool) {
	if pkt.SSRC != v.ssrc {
		v.ssrc = pkt.SSRC
		v.depack.Reset()
		v.tl.Reset()
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
	return &frame.EncodedVideo{PTS: v.tl.Map(f.TS, arrival), Data: f.Data, Key: f.Key,
		Width: f.Width, Height: f.Height}, lost
}
