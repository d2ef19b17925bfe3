package rtmp

import (
	"fmt"
	"runtime/debug"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/internal/metrics"
	"github.com/sipcast/sipcast/media/frame"
	"github.com/sipcast/sipcast/protocol/rtph264"
)

// reportPanic, deferred first in a goroutine the actor owns, turns a panic into a message to the
// actor: protoactor supervises panics inside Receive only, and a goroutine that dies silently
// leaves the actor believing a dead connection is live (issue #12: RTMP_STREAM_ACTIVE over a
// silent stream). report builds the message for the goroutine's kind of failure.
func (a *Actor) reportPanic(name string, report func(err error) any) {
	r := recover()
	if r == nil {
		return
	}
	metrics.GoroutinePanics.With("rtmp_" + name).Inc()
	err := fmt.Errorf("%w: %s: %v", ErrPanicked, name, r)
	a.log.Error("goroutine panicked", "goroutine", name, "panic", r, "stack", string(debug.Stack()))
	a.system.Root.Send(a.self, report(err))
}

// checkParams refuses a keyframe whose parameter sets a muxer could not take. The RTP actor
// already drops such frames; this keeps any other source (a transcoder, a future input) from
// reaching gortmplib with them.
func (a *Actor) checkParams(ctx actor.Context, f *frame.VideoFrame) bool {
	if _, err := rtph264.CheckSPS(f.SPS); err != nil {
		return a.rejectKey(ctx, err)
	}
	if err := rtph264.CheckPPS(f.PPS); err != nil {
		return a.rejectKey(ctx, err)
	}
	return true
}

func (a *Actor) rejectKey(ctx actor.Context, err error) bool {
	metrics.MediaRejected.With(metrics.RejectedH264Params).Inc()
	a.log.Warn("keyframe refused", "err", err)
	a.waitingKey = true
	ctx.Send(a.parent, &frame.KeyframeNeeded{})
	return false
}
