package transcoder

import (
	"errors"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"

	"github.com/sipcast/sipcast/media/frame"
	"github.com/sipcast/sipcast/media/transcode"
)

// handleVideo transcodes one VP8 frame and publishes the H.264 access units that came out.
func (a *Actor) handleVideo(ctx actor.Context, m *frame.EncodedVideo) {
	if a.video == nil {
		return
	}
	aus, err := a.video.Transcode(m.Data, m.Key, m.PTS)
	switch {
	case errors.Is(err, transcode.ErrDecode):
		// A corrupt frame or a lost reference: the picture is broken until the next key frame.
		a.log.Debug("VP8 frame not decoded", "err", err)
		if a.cfg.Source != nil {
			ctx.Send(a.cfg.Source, &frame.DeviceKeyframe{})
		}
	case err != nil:
		// The encoder is in an unknown state: let the supervisor build a new one.
		panic(err)
	}
	for _, au := range aus {
		if au.Key {
			a.takeParams(ctx, au.NALUs)
		}
		a.publish(ctx, &frame.VideoFrame{PTS: au.PTS, AU: au.NALUs, Key: au.Key, SPS: a.sps, PPS: a.pps})
	}
}

// takeParams keeps the parameter sets of an IDR access unit and tells the call the picture size
// when it changes.
func (a *Actor) takeParams(ctx actor.Context, nalus [][]byte) {
	for _, n := range nalus {
		switch h264.NALUType(n[0] & 0x1f) {
		case h264.NALUTypeSPS:
			a.sps = n
		case h264.NALUTypePPS:
			a.pps = n
		}
	}
	var sps h264.SPS
	if a.sps == nil || sps.Unmarshal(a.sps) != nil {
		return
	}
	if w, h := sps.Width(), sps.Height(); w != a.width || h != a.height {
		a.width, a.height = w, h
		if ctx.Parent() != nil {
			ctx.Send(ctx.Parent(), &frame.VideoFormat{Width: w, Height: h})
		}
	}
}
