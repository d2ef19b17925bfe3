package call

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/actors/rtp"
)

// spawnViewers starts the call's viewers hub (WHEP) and its LL-HLS actor, when playback is on,
// and has both RTP actors tap their media into the hub (the HLS actor subscribes to the stream
// like a publisher: resubscribe). The hub is a child: it ends with the call, and so do its
// viewers. A hub that keeps failing is stopped and the call goes on unwatched.
func (a *Actor) spawnViewers(ctx actor.Context) {
	if a.cfg.Spec.ToStream == "" {
		return
	}
	if a.cfg.HLS != nil {
		pid, err := ctx.SpawnNamed(a.cfg.HLS(a.cfg.Spec.CallID, a.cfg.Spec.ToStream), "hls")
		if err != nil {
			a.log.Error("HLS actor not started", "err", err)
		} else {
			a.hls = pid
		}
	}
	if a.cfg.Viewers == nil {
		return
	}
	pid, err := ctx.SpawnNamed(a.cfg.Viewers(a.cfg.Spec.CallID, a.cfg.Spec.ToStream), "viewers")
	if err != nil {
		a.log.Error("viewers hub not started", "err", err)
		return
	}
	a.retapViewers(ctx, pid)
}

// retapViewers has both RTP actors tap their media into the hub and describe their lines to it:
// at its start, and again when it restarted and forgot them (rtp.Retap).
func (a *Actor) retapViewers(ctx actor.Context, hub *actor.PID) {
	tap := &rtp.Tap{PIDs: []*actor.PID{hub}}
	for _, line := range []*actor.PID{a.audio, a.video} {
		if line != nil {
			ctx.Send(line, tap)
		}
	}
}
