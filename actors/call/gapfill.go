package call

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/actors/rtmp"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// handleRTMPGap shows in the call object which tracks the call's own RTMP stream is filling
// (the device sends nothing on them: hold, a muted camera, loss). Pushes fill alike; their
// status has no such field.
func (a *Actor) handleRTMPGap(ctx actor.Context, m *rtmp.GapChanged) {
	if m.ID != "" {
		return
	}
	var tracks string
	switch {
	case m.Audio && m.Video:
		tracks = "audio,video"
	case m.Audio:
		tracks = "audio"
	case m.Video:
		tracks = "video"
	}
	a.call.RTMPGapFill = callapi.Str(tracks)
	a.publish(ctx)
}
