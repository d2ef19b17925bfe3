package registry

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/actors/call"
	"github.com/sipcast/sipcast/actors/rtmp"
	"github.com/sipcast/sipcast/internal/cluster"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// pushEntry is the registry's record of one push: the answer it gives, and the keys it holds.
type pushEntry struct {
	push   callapi.Push
	callID string
	key    string // stream name + normalised target: unique among pushes
	seq    uint64
}

func (a *Actor) handleStartPush(ctx actor.Context, m *StartPush) {
	s := m.Spec
	e := a.liveByStream(s.StreamName)
	if e == nil {
		ctx.Respond(&PushResponse{Code: NotFound, Message: fmt.Sprintf("no live call with toStream %q", s.StreamName)})
		return
	}
	key := s.StreamName + "|" + s.Target.Key()
	for _, p := range a.pushes {
		if p.key == key {
			ctx.Respond(&PushResponse{Code: Conflict, Message: fmt.Sprintf("stream %q is already pushed to %s (mediaSessionId %s)",
				s.StreamName, s.RTMPURL, p.push.MediaSessionID)})
			return
		}
	}
	if s.Target.Key() == targetKey(e) {
		ctx.Respond(&PushResponse{Code: Conflict, Message: "the call already publishes to that rtmpUrl and name"})
		return
	}
	if a.cfg.Cluster != nil {
		a.claimPush(ctx, m, e, key)
		return
	}
	ctx.Respond(a.addPush(ctx, m, e, key, newID()))
}

// addPush records a push whose key is free and tells its call.
func (a *Actor) addPush(ctx actor.Context, m *StartPush, e *entry, key, id string) *PushResponse {
	s := m.Spec
	a.seq++
	p := &pushEntry{callID: e.spec.CallID, key: key, seq: a.seq, push: callapi.Push{
		MediaSessionID: id, StreamName: s.StreamName, RTMPURL: s.RTMPURL,
		Width: e.width, Height: e.height, Muted: s.Muted, SoundEnabled: m.Sound != nil, Options: s.Options,
		PublishedName: s.Target.Stream, CallID: e.spec.CallID, RTMPStreamStatus: callapi.RTMPStreamWait,
	}}
	a.pushes[p.push.MediaSessionID] = p
	ctx.Send(e.pid, &call.AddPush{ID: p.push.MediaSessionID, Target: s.Target, Muted: s.Muted, Sound: m.Sound})
	a.log.Info("push started", "callId", p.callID, "mediaSessionId", p.push.MediaSessionID, "target", s.Target.Redacted())
	return &PushResponse{Code: OK, Push: p.push}
}

// pushClaimed is the cluster's answer to a push's claim.
type pushClaimed struct {
	m      *StartPush
	key    string
	id     string // the push's mediaSessionId, chosen before the claim so the claim names it
	seq    uint64 // of the call
	sender *actor.PID
	err    error
}

// claimPush asks the cluster for the push's key from a goroutine; pushClaimed answers.
func (a *Actor) claimPush(ctx actor.Context, m *StartPush, e *entry, key string) {
	self, system, claimer := ctx.Self(), ctx.ActorSystem(), a.cfg.Cluster
	res := &pushClaimed{m: m, key: key, id: newID(), seq: e.seq, sender: ctx.Sender()}
	owner := cluster.Owner{CallID: e.spec.CallID, Ref: res.id}
	go func() {
		c, cancel := context.WithTimeout(context.Background(), claimTimeout)
		defer cancel()
		res.err = claimer.Claim(c, owner, []cluster.Key{{Kind: cluster.KeyPush, Value: key}})
		system.Root.Send(self, res)
	}()
}

func (a *Actor) handlePushClaimed(ctx actor.Context, m *pushClaimed) {
	s := m.m.Spec
	var conflict *cluster.Conflict
	switch {
	case errors.As(m.err, &conflict):
		ctx.Send(m.sender, &PushResponse{Code: Conflict, Message: fmt.Sprintf("stream %q is already pushed to %s (mediaSessionId %s)",
			s.StreamName, s.RTMPURL, conflict.Owner.Ref)})
		return
	case m.err != nil:
		ctx.Send(m.sender, &PushResponse{Code: Unavailable, Message: m.err.Error()})
		return
	}
	e := a.liveByStream(s.StreamName)
	if e == nil || e.seq != m.seq || a.pushKeyTaken(m.key) {
		// The call ended (or this node took the key) while etcd answered: give the key back.
		a.releaseClaims([]cluster.Key{{Kind: cluster.KeyPush, Value: m.key}})
		ctx.Send(m.sender, &PushResponse{Code: NotFound, Message: fmt.Sprintf("no live call with toStream %q", s.StreamName)})
		return
	}
	ctx.Send(m.sender, a.addPush(ctx, m.m, e, m.key, m.id))
}

func (a *Actor) pushKeyTaken(key string) bool {
	for _, p := range a.pushes {
		if p.key == key {
			return true
		}
	}
	return false
}

// dropPush forgets one push and gives its key back to the cluster.
func (a *Actor) dropPush(id string) {
	if p := a.pushes[id]; p != nil {
		delete(a.pushes, id)
		a.releaseClaims([]cluster.Key{{Kind: cluster.KeyPush, Value: p.key}})
	}
}

func (a *Actor) handleFindPushes(ctx actor.Context, m *FindPushes) {
	var out []*pushEntry
	for _, p := range a.pushes {
		if m.StreamName != "" && m.StreamName != p.push.StreamName && m.StreamName != p.push.PublishedName {
			continue
		}
		if m.RTMPURL != "" && strings.TrimRight(m.RTMPURL, "/") != strings.TrimRight(p.push.RTMPURL, "/") {
			continue
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	res := &FindPushesResponse{Pushes: make([]callapi.Push, len(out))}
	for i, p := range out {
		if e := a.calls[p.callID]; e != nil && e.width > 0 {
			p.push.Width, p.push.Height = e.width, e.height
		}
		res.Pushes[i] = p.push
	}
	ctx.Respond(res)
}

func (a *Actor) handlePushCommand(ctx actor.Context, m *PushCommand) {
	p := a.pushes[m.ID]
	if p == nil {
		ctx.Respond(&PushResponse{Code: NotFound, Message: fmt.Sprintf("no push with mediaSessionId %q", m.ID)})
		return
	}
	e := a.calls[p.callID]
	if e == nil || a.byPID[e.pid.Id] != e {
		a.dropPush(m.ID)
		ctx.Respond(&PushResponse{Code: NotFound, Message: "the push's call has ended"})
		return
	}
	var set rtmp.SetAudio
	switch m.Op {
	case PushTerminate:
		a.dropPush(m.ID)
		ctx.Send(e.pid, &call.RemovePush{ID: m.ID})
		a.log.Info("push terminated", "callId", p.callID, "mediaSessionId", m.ID)
		ctx.Respond(&PushResponse{Code: OK, Push: p.push})
		return
	case PushMute, PushUnmute:
		muted := m.Op == PushMute
		set.Muted, p.push.Muted = &muted, muted
	case PushSoundOn:
		set.Sound, p.push.SoundEnabled = m.Sound, true
	case PushSoundOff:
		set.Sound, p.push.SoundEnabled = &rtmp.Sound{}, false
	}
	ctx.Send(e.pid, &call.PushAudio{ID: m.ID, Set: set})
	ctx.Respond(&PushResponse{Code: OK, Push: p.push})
}

func (a *Actor) handlePushStatus(m *call.PushStatus) {
	p := a.pushes[m.ID]
	if p == nil {
		return
	}
	if m.Ended {
		a.dropPush(m.ID)
		return
	}
	p.push.RTMPStreamStatus = m.Status
	p.push.Reason = callapi.Str(m.Reason)
	if a.cfg.Publish != nil {
		appKey := ""
		if e := a.calls[p.callID]; e != nil {
			appKey = e.spec.AppKey
		}
		a.cfg.Publish(EventPushStatus, p.callID, appKey, p.push)
	}
}

// EventPushStatus names the notification of a push's RTMP status change; its body is the push
// object.
const EventPushStatus = "PushStatusEvent"

// dropPushes forgets the pushes of a call that ended: they ended with it, and their last
// notified status says so (callapi.EndedRTMP) rather than leave a stream that is gone ACTIVE.
func (a *Actor) dropPushes(callID, appKey string) {
	for id, p := range a.pushes {
		if p.callID != callID {
			continue
		}
		a.dropPush(id)
		final := callapi.EndedRTMP(p.push.RTMPStreamStatus)
		if final == p.push.RTMPStreamStatus {
			continue
		}
		p.push.RTMPStreamStatus, p.push.Reason = final, callapi.Str("call ended")
		if a.cfg.Publish != nil {
			a.cfg.Publish(EventPushStatus, callID, appKey, p.push)
		}
	}
}

// liveByStream finds the live call whose toStream is name.
func (a *Actor) liveByStream(name string) *entry {
	id, ok := a.streams[name]
	if !ok {
		return nil
	}
	e := a.calls[id]
	if e == nil || !e.live {
		return nil
	}
	return e
}

func targetKey(e *entry) string {
	if e.spec.RTMP == nil {
		return ""
	}
	return e.spec.RTMP.Key()
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:4]) + "-" + hex.EncodeToString(b[4:6]) + "-" + hex.EncodeToString(b[6:8]) + "-" +
		hex.EncodeToString(b[8:10]) + "-" + hex.EncodeToString(b[10:])
}
