package call

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/actors/rtmp"
	"github.com/sipcast/sipcast/actors/rtp"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// handleAddPush starts a publisher for a push. It joins the call's stream at once; its first
// frame is the next keyframe, which it asks the device for when its publish is accepted.
func (a *Actor) handleAddPush(ctx actor.Context, m *AddPush) {
	if a.done || a.stopping {
		ctx.Send(ctx.Parent(), &PushStatus{CallID: a.cfg.Spec.CallID, ID: m.ID, Status: callapi.RTMPConnectionFailed,
			Reason: "call ended", Ended: true})
		return
	}
	if a.pushes == nil {
		a.pushes = map[string]*actor.PID{}
	}
	pid := a.spawnTarget(ctx, rtmp.Config{ID: m.ID, Target: m.Target, Muted: m.Muted, Sound: m.Sound}, "push-"+m.ID)
	a.pushes[m.ID] = pid
	a.resubscribe(ctx)
}

func (a *Actor) handleRemovePush(ctx actor.Context, m *RemovePush) {
	pid := a.pushes[m.ID]
	if pid == nil {
		return
	}
	delete(a.pushes, m.ID)
	a.resubscribe(ctx)
	ctx.Stop(pid)
	ctx.Send(ctx.Parent(), &PushStatus{CallID: a.cfg.Spec.CallID, ID: m.ID, Ended: true, Reason: "terminated"})
}

// resubscribe tells both RTP actors where frames go now.
func (a *Actor) resubscribe(ctx actor.Context) {
	subs := make([]*actor.PID, 0, 1+len(a.pushes))
	if a.publisher != nil {
		subs = append(subs, a.publisher)
	}
	for _, pid := range a.pushes {
		subs = append(subs, pid)
	}
	if a.hls != nil {
		subs = append(subs, a.hls)
	}
	msg := &rtp.Subscribe{Subscribers: subs}
	for _, pid := range []*actor.PID{a.audio, a.video, a.tx.audio, a.tx.video} {
		if pid != nil {
			ctx.Send(pid, msg)
		}
	}
}
