// Package registry is the registry actor: the only owner of the uniqueness rules (callId,
// toStream, rtmpUrl+rtmpStream among live calls → 409), the parent and supervisor of every call
// actor, and the keeper of the latest snapshot of each call, which it serves to /call/find without
// asking the calls. It watches each call and frees its keys when the call ends for any reason,
// crashes included.
package registry

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/actors/call"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// Config builds the registry.
type Config struct {
	// NewCall returns the props of a call actor for a validated startup request.
	NewCall func(spec callapi.Startup) *actor.Props
	// EndedTTL is how long a call that ended by itself (callee hung up, busy, failed) stays
	// visible to /call/find with its final status, so a polling client learns why. A call ended
	// by /call/terminate disappears at once. Default 10 s.
	EndedTTL time.Duration
	// After runs f once d has passed: how an ended call's EndedTTL is kept. Default
	// time.AfterFunc; tests pass their own to expire calls when they choose.
	After  func(d time.Duration, f func())
	NodeID string
	Logger *slog.Logger
	// Events, when set, is given every call snapshot (and the FAILED one of a crashed call): the
	// status notifications start here. It must not block (notify.Handle.CallChanged does not).
	Events func(callapi.Call)
	// Publish, when set, is given every other event of a call (notify.EventIncomingDTMF,
	// notify.EventRegistrationStatus) with its JSON body; it must not block
	// (notify.Handle.Publish does not).
	Publish func(event, callID, appKey string, body any)
	// MaxCalls is this node's capacity: a startup past it is answered Full. 0: no limit.
	MaxCalls int
	// Cluster, when set, makes every key unique across the cluster: a startup or push is
	// claimed there before it starts, and released when it ends. Nil: this node alone.
	Cluster Claimer
	// KeepOnClusterLoss keeps the live calls when the node loses its cluster lease (they are
	// claimed again once it holds a new one); false ends them, since their keys may be taken
	// by calls elsewhere.
	KeepOnClusterLoss bool
}

type entry struct {
	pid       *actor.PID
	call      callapi.Call
	spec      callapi.Startup
	seq       uint64 // start order, for stable listings
	live      bool   // holds its keys
	byRequest bool
	token     uint64 // the StartCall's, for AbandonStart
	waiters   []*actor.PID
	width     int
	height    int
	// endedBy is why the registry itself ended the call (the cluster lease lost): unlike a
	// REST terminate, the call stays visible with its final status and this reason.
	endedBy string
}

// Actor is the registry.
type Actor struct {
	cfg     Config
	log     *slog.Logger
	calls   map[string]*entry // by callId: live and recently ended
	byPID   map[string]*entry // by actor id: live only
	streams map[string]string // toStream → callId (live)
	targets map[string]string // normalised rtmpUrl+rtmpStream → callId (live)
	pushes  map[string]*pushEntry
	seq     uint64
	// claiming holds the startups waiting for etcd (cluster mode), by callId; their keys are
	// already reserved in streams and targets, so a second request on this node is a 409 at once.
	claiming map[string]*pendingStart
}

// NewProps returns the registry's props. A crashed call actor is stopped, not restarted: a SIP
// dialog cannot be rebuilt from nothing, and the call must not be placed twice.
func NewProps(cfg Config) *actor.Props {
	if cfg.EndedTTL == 0 {
		cfg.EndedTTL = 10 * time.Second
	}
	if cfg.After == nil {
		cfg.After = func(d time.Duration, f func()) { time.AfterFunc(d, f) }
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	strategy := actor.NewOneForOneStrategy(0, 0, func(reason any) actor.Directive {
		return actor.StopDirective
	})
	return actor.PropsFromProducer(func() actor.Actor {
		return &Actor{cfg: cfg, log: cfg.Logger.With("actor", "registry"),
			calls: map[string]*entry{}, byPID: map[string]*entry{},
			streams: map[string]string{}, targets: map[string]string{}, pushes: map[string]*pushEntry{},
			claiming: map[string]*pendingStart{}}
	}, actor.WithSupervisor(strategy))
}

// Receive is the registry's mailbox loop.
func (a *Actor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		a.log.Info("actor started")
	case *actor.Stopping:
		a.log.Info("actor stopping", "calls", len(a.byPID))
	case *StartCall:
		a.handleStart(ctx, m)
	case *AbandonStart:
		a.handleAbandonStart(ctx, m)
	case *FindCalls:
		a.handleFind(ctx, m)
	case *TerminateCall:
		a.handleTerminate(ctx, m)
	case *StartPush:
		a.handleStartPush(ctx, m)
	case *FindPushes:
		a.handleFindPushes(ctx, m)
	case *PushCommand:
		a.handlePushCommand(ctx, m)
	case *call.PushStatus:
		a.handlePushStatus(m)
	case *LookupCall:
		a.handleLookup(ctx, m)
	case *call.Updated:
		a.handleUpdated(ctx, m)
	case *call.DTMFReceived, *call.RegistrationChanged:
		a.handleCallEvent(m)
	case *actor.Terminated:
		a.handleTerminated(ctx, m)
	case *claimed:
		a.handleClaimed(ctx, m)
	case *pushClaimed:
		a.handlePushClaimed(ctx, m)
	case *ClusterLost:
		a.handleClusterLost(ctx)
	case *ClusterRegained:
		a.handleClusterRegained(ctx)
	case *reclaimed:
		a.handleReclaimed(ctx, m)
	case *expire:
		if e := a.calls[m.callID]; e != nil && !e.live && e.seq == m.seq {
			delete(a.calls, m.callID)
		}
	}
}

func (a *Actor) handleStart(ctx actor.Context, m *StartCall) {
	s := m.Spec
	if !m.Deadline.IsZero() && time.Now().After(m.Deadline) {
		a.log.Warn("startup refused: its request waited past its deadline", "callId", s.CallID,
			"late", time.Since(m.Deadline).Round(time.Millisecond))
		ctx.Respond(&StartCallResponse{Code: Unavailable, Message: "the gateway is overloaded: the request waited too long"})
		return
	}
	if res := a.localConflict(s); res != nil {
		ctx.Respond(res)
		return
	}
	if a.cfg.MaxCalls > 0 && len(a.byPID)+len(a.claiming) >= a.cfg.MaxCalls {
		ctx.Respond(&StartCallResponse{Code: Full, Message: fmt.Sprintf("this node is at its capacity of %d calls", a.cfg.MaxCalls)})
		return
	}
	if a.cfg.Cluster != nil {
		a.claimStart(ctx, s, m.Token) // answers once etcd has
		return
	}
	ctx.Respond(a.spawn(ctx, s, m.Token))
}

// handleAbandonStart ends the call of a startup whose asker gave up, or makes a claim still in
// flight start nothing.
func (a *Actor) handleAbandonStart(ctx actor.Context, m *AbandonStart) {
	if m.Token == 0 {
		return
	}
	if p := a.claiming[m.CallID]; p != nil && p.token == m.Token {
		p.abandoned = true
		return
	}
	e := a.calls[m.CallID]
	if e == nil || e.token != m.Token || a.byPID[e.pid.Id] != e {
		return
	}
	a.log.Warn("startup abandoned by its request: ending the call", "callId", m.CallID)
	e.byRequest = true // its client was told it failed: not listed once it ends
	ctx.Send(e.pid, &call.Hangup{Reason: "the startup request timed out"})
}

// localConflict is the 409 of a key held by a live call of this node, or nil.
func (a *Actor) localConflict(s callapi.Startup) *StartCallResponse {
	if e := a.calls[s.CallID]; (e != nil && e.live) || a.claiming[s.CallID] != nil {
		return &StartCallResponse{Code: Conflict, Message: fmt.Sprintf("callId %q is already in use", s.CallID)}
	}
	if id, ok := a.streams[s.ToStream]; ok {
		return &StartCallResponse{Code: Conflict,
			Message: fmt.Sprintf("toStream %q is already used by call %q", s.ToStream, id)}
	}
	if s.RTMP != nil {
		if id, ok := a.targets[s.RTMP.Key()]; ok {
			return &StartCallResponse{Code: Conflict,
				Message: fmt.Sprintf("rtmpUrl+rtmpStream %s is already used by call %q", s.RTMP.Redacted(), id)}
		}
	}
	return nil
}

// spawn starts the call actor of a request whose keys are all free.
func (a *Actor) spawn(ctx actor.Context, s callapi.Startup, token uint64) *StartCallResponse {
	pid := ctx.SpawnPrefix(a.cfg.NewCall(s), "call")
	a.seq++
	e := &entry{pid: pid, spec: s, seq: a.seq, live: true, token: token}
	e.call = callapi.Call{CallID: s.CallID, Status: callapi.StatusPending, Custom: map[string]any{}}
	a.calls[s.CallID] = e
	a.byPID[pid.Id] = e
	a.streams[s.ToStream] = s.CallID
	if s.RTMP != nil {
		a.targets[s.RTMP.Key()] = s.CallID
	}
	a.log.Info("call started", "callId", s.CallID, "actor", pid.Id)
	a.reportLive()
	// The call actor sends its first snapshot before anything else; until it lands, answer with a
	// snapshot built from the request so the client sees every field at once.
	return &StartCallResponse{Code: OK, Call: call.NewCallObject(s, a.cfg.NodeID)}
}

func (a *Actor) handleUpdated(ctx actor.Context, m *call.Updated) {
	e := a.calls[m.Call.CallID]
	if e == nil || a.byPID[e.pid.Id] != e {
		return // a late snapshot from a call that already terminated
	}
	if e.endedBy != "" && callapi.Ended(m.Call.Status) {
		m.Call.Reason = callapi.Str(e.endedBy)
	}
	e.call = m.Call
	if a.cfg.Events != nil {
		a.cfg.Events(m.Call)
	}
	e.width, e.height = m.Width, m.Height
	e.byRequest = (e.byRequest || m.ByRequest) && e.endedBy == ""
	if callapi.Ended(m.Call.Status) {
		// The call is over: free its keys now and stop its actor tree (the call waits for this,
		// so its final snapshot is always here before its Terminated).
		a.release(e)
		ctx.Stop(e.pid)
	}
}

func (a *Actor) handleTerminated(ctx actor.Context, m *actor.Terminated) {
	e := a.byPID[m.Who.Id]
	if e == nil {
		return
	}
	delete(a.byPID, m.Who.Id)
	a.dropPushes(e.spec.CallID, e.spec.AppKey)
	if !callapi.Ended(e.call.Status) {
		// Stopped without a final status: it crashed (the supervisor stopped it) or was killed.
		e.call.Status = callapi.StatusFailed
		e.call.Reason = callapi.Str(call.ErrActorFailed.Error())
		if e.call.RTMPStreamStatus != nil {
			e.call.RTMPStreamStatus = callapi.Str(callapi.EndedRTMP(*e.call.RTMPStreamStatus))
		}
		a.log.Error("call actor terminated without a final status", "callId", e.call.CallID)
		if a.cfg.Events != nil {
			a.cfg.Events(e.call)
		}
	}
	a.release(e)
	for _, w := range e.waiters {
		ctx.Send(w, &TerminateCallResponse{Code: OK})
	}
	e.waiters = nil
	if e.byRequest {
		delete(a.calls, e.call.CallID)
		return
	}
	msg, self, system := &expire{callID: e.call.CallID, seq: e.seq}, ctx.Self(), ctx.ActorSystem()
	a.cfg.After(a.cfg.EndedTTL, func() { system.Root.Send(self, msg) })
}

// release frees the call's keys: from now on another call may use them.
func (a *Actor) release(e *entry) {
	if !e.live {
		return
	}
	e.live = false
	if a.streams[e.spec.ToStream] == e.spec.CallID {
		delete(a.streams, e.spec.ToStream)
	}
	if e.spec.RTMP != nil && a.targets[e.spec.RTMP.Key()] == e.spec.CallID {
		delete(a.targets, e.spec.RTMP.Key())
	}
	a.releaseClaims(callKeys(e.spec))
	a.reportLive()
}

func (a *Actor) handleTerminate(ctx actor.Context, m *TerminateCall) {
	e := a.calls[m.CallID]
	if e == nil {
		ctx.Respond(&TerminateCallResponse{Code: NotFound, Message: fmt.Sprintf("no call with callId %q", m.CallID)})
		return
	}
	if _, running := a.byPID[e.pid.Id]; !running {
		// Ended by itself and still on display: terminating it just takes it off.
		delete(a.calls, m.CallID)
		ctx.Respond(&TerminateCallResponse{Code: OK})
		return
	}
	e.byRequest = true
	e.waiters = append(e.waiters, ctx.Sender())
	ctx.Send(e.pid, &call.Hangup{Reason: "terminate requested"})
}

func (a *Actor) handleLookup(ctx actor.Context, m *LookupCall) {
	res := &LookupCallResponse{}
	if e := a.calls[m.CallID]; e != nil && a.byPID[e.pid.Id] == e {
		res.PID = e.pid
	}
	ctx.Respond(res)
}
