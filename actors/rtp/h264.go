package rtp

import (
	"bytes"
	"errors"
	"time"

	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/internal/metrics"
	"github.com/sipcast/sipcast/media/clock"
	"github.com/sipcast/sipcast/media/frame"
	"github.com/sipcast/sipcast/protocol/rtph264"
)

// h264Pipe turns H.264 RTP packets into access units on the call's timeline, for the
// publishers: RTMP carries H.264 as it is.
type h264Pipe struct {
	out      sink
	depack   rtph264.Depacketizer
	tl       *clock.Timeline
	ssrc     uint32
	sps, pps []byte
	haveKey  bool
	// keyInterval is the longest wait between key frames (MediaOptions.KeyInterval); lastKey
	// the arrival of the last one passed through, askedKey whether a key frame was asked for
	// since, because the interval ran out.
	keyInterval time.Duration
	lastKey     time.Time
	askedKey    bool
}

func newH264Pipe(c *Configure, keyInterval time.Duration, out sink) *h264Pipe {
	v := &h264Pipe{out: out, tl: clock.NewTimeline(c.ClockRate, c.Zero), keyInterval: keyInterval}
	// The SDP's sprop-parameter-sets come from the network too: the stream waits for in-band
	// ones rather than hand a muxer a set it cannot parse.
	if _, err := rtph264.CheckSPS(c.SPS); err == nil && rtph264.CheckPPS(c.PPS) == nil {
		v.sps, v.pps = c.SPS, c.PPS
	}
	return v
}

func (v *h264Pipe) timeline() *clock.Timeline { return v.tl }
func (v *h264Pipe) close()                    {}

// push publishes the frame a packet completes. Lost packets, before it or inside the frame,
// break the picture until the next key frame: the device is asked for one at once.
func (v *h264Pipe) push(pkt *pionrtp.Packet, arrival time.Time, lost int) {
	if lost > 0 {
		v.out.needKey()
	}
	f, broken := v.decode(pkt, arrival)
	if broken {
		v.out.needKey()
	}
	if f != nil {
		if f.Key {
			v.lastKey, v.askedKey = arrival, false
			v.out.gotKey(f.SPS)
		}
		v.out.publish(f)
	}
	v.keepKeyInterval(arrival)
}

// decode returns the frame an AU completed (nil if none), and whether data was lost so that the
// picture is broken until the next keyframe.
func (v *h264Pipe) decode(pkt *pionrtp.Packet, arrival time.Time) (*frame.VideoFrame, bool) {
	if pkt.SSRC != v.ssrc {
		// A new source (device restart, re-INVITE): its timestamps share nothing with the old one's.
		v.ssrc = pkt.SSRC
		v.depack.Reset()
		v.tl.Reset()
	}
	au, ts, err := v.depack.Push(pkt)
	lost := err != nil && errors.Is(err, rtph264.ErrFragmentLost)
	if len(au) == 0 {
		return nil, lost
	}
	if v.checkParams(au) != nil {
		// A parameter set no muxer could take (issue #12): the unit goes nowhere, and the picture
		// is broken until a keyframe with good ones comes.
		metrics.MediaRejected.With(metrics.RejectedH264Params).Inc()
		return nil, true
	}
	if sps, pps := rtph264.ExtractParams(au); sps != nil || pps != nil {
		// Kept as copies, made only when a set changes: the AU's NAL units share one array,
		// which would otherwise stay pinned until the next key frame.
		if sps != nil && !bytes.Equal(sps, v.sps) {
			v.sps = bytes.Clone(sps)
		}
		if pps != nil && !bytes.Equal(pps, v.pps) {
			v.pps = bytes.Clone(pps)
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
		PTS: v.tl.Map(ts, arrival),
		AU:  au,
		Key: key,
		SPS: v.sps,
		PPS: v.pps,
	}, lost
}

// checkParams is rtph264.CheckAU without parsing again the parameter sets in force (v.sps and
// v.pps were checked when they were kept): a device repeats the same SPS and PPS before every key
// frame, and parsing an SPS allocates.
func (v *h264Pipe) checkParams(au [][]byte) error {
	for _, nal := range au {
		if len(nal) == 0 {
			continue
		}
		switch rtph264.NALType(nal[0]) {
		case rtph264.NALTypeSPS:
			if !bytes.Equal(nal, v.sps) {
				if _, err := rtph264.CheckSPS(nal); err != nil {
					return err
				}
			}
		case rtph264.NALTypePPS:
			if !bytes.Equal(nal, v.pps) {
				if err := rtph264.CheckPPS(nal); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// keepKeyInterval asks the device for a key frame when its last one is older than the key
// interval; the actor's tick repeats the request each second until one comes.
func (v *h264Pipe) keepKeyInterval(now time.Time) {
	if v.keyInterval <= 0 || v.askedKey || v.lastKey.IsZero() || now.Sub(v.lastKey) < v.keyInterval {
		return
	}
	v.askedKey = true
	v.out.needKey()
}
