package registry

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/actors/call"
	"github.com/sipcast/sipcast/actors/rtmp"
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
	a.seq++
	p := &pushEntry{callID: e.spec.CallID, key: key, seq: a.seq, push: callapi.Push{
		MediaSessionID: newID(), StreamName: s.StreamName, RTMPURL: s.RTMPURL,
		Width: e.width, Height: e.height, Muted: s.Muted, SoundEnabled: m.Sound != nil, Options: s.Options,
		PublishedName: s.Target.Stream, CallID: e.spec.CallID, RTMPStreamStatus: callapi.RTMPStreamWait,
	}}
	a.pushes[p.push.MediaSessionID] = p
	ctx.Send(e.pid, &call.AddPush{ID: p.push.MediaSessionID, Target: s.Target, Muted: s.Muted, Sound: m.Sound})
	a.log.Info("push started", "callId", p.callID, "mediaSessionId", p.push.MediaSessionID, "target", s.Target.Redacted())
	ctx.Respond(&PushResponse{Code: OK, Push: p.push})
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
		delete(a.pushes, m.ID)
		ctx.Respond(&PushResponse{Code: NotFound, Message: "the push's call has ended"})
		return
	}
	var set rtmp.SetAudio
	switch m.Op {
	case PushTerminate:
		delete(a.pushes, m.ID)
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
		delete(a.pushes, m.ID)
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

// dropPushes forgets the pushes of a call that ended: they ended with it.
func (a *Actor) dropPushes(callID string) {
	for id, p := range a.pushes {
		if p.callID == callID {
			delete(a.pushes, id)
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
