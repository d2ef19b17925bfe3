package registry

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/actors/call"
	"github.com/sipcast/sipcast/internal/cluster"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// Claimer is the cluster's side of the uniqueness rules (cluster.Node is one): the registry
// still checks its own calls first, then asks the cluster for the keys before a call starts.
type Claimer interface {
	// Claim takes every key for owner (CallID, and Ref: a push's mediaSessionId) in one step,
	// or none and a *cluster.Conflict.
	Claim(ctx context.Context, owner cluster.Owner, keys []cluster.Key) error
	// Release gives keys back; it may block on the network (the registry calls it from a
	// goroutine).
	Release(ctx context.Context, keys []cluster.Key) error
	// SetLive reports this node's live calls for placement; it must not block.
	SetLive(n int)
}

// claimTimeout bounds one claim or release: well within the REST request's 5 s.
const claimTimeout = 3 * time.Second

// ClusterLost tells the registry its node lost the cluster lease.
type ClusterLost struct{}

// ClusterRegained tells the registry its node holds a new lease.
type ClusterRegained struct{}

// pendingStart is a startup waiting for the cluster's answer.
type pendingStart struct {
	spec   callapi.Startup
	sender *actor.PID
	token  uint64
	// abandoned: the asker gave up (AbandonStart); the keys claimed go back, nothing starts.
	abandoned bool
}

// claimed is the cluster's answer to a startup's claim.
type claimed struct {
	callID string
	err    error
}

// reclaimed is the cluster's answer to claiming a kept call's keys again after a lost lease.
type reclaimed struct {
	callID string
	seq    uint64
	err    error
}

// callKeys are a call's cluster-wide unique keys, normalised as the registry's own maps are.
func callKeys(s callapi.Startup) []cluster.Key {
	keys := []cluster.Key{{Kind: cluster.KeyCallID, Value: s.CallID}, {Kind: cluster.KeyStream, Value: s.ToStream}}
	if s.RTMP != nil {
		keys = append(keys, cluster.Key{Kind: cluster.KeyTarget, Value: s.RTMP.Key()})
	}
	return keys
}

// claimStart reserves the keys on this node and asks the cluster for them from a goroutine;
// the answer comes back as claimed.
func (a *Actor) claimStart(ctx actor.Context, s callapi.Startup, token uint64) {
	a.claiming[s.CallID] = &pendingStart{spec: s, sender: ctx.Sender(), token: token}
	a.streams[s.ToStream] = s.CallID
	if s.RTMP != nil {
		a.targets[s.RTMP.Key()] = s.CallID
	}
	self, system, claimer := ctx.Self(), ctx.ActorSystem(), a.cfg.Cluster
	go func() {
		c, cancel := context.WithTimeout(context.Background(), claimTimeout)
		defer cancel()
		err := claimer.Claim(c, cluster.Owner{CallID: s.CallID}, callKeys(s))
		system.Root.Send(self, &claimed{callID: s.CallID, err: err})
	}()
}

func (a *Actor) handleClaimed(ctx actor.Context, m *claimed) {
	p := a.claiming[m.callID]
	if p == nil {
		return
	}
	delete(a.claiming, m.callID)
	s := p.spec
	if a.streams[s.ToStream] == s.CallID {
		delete(a.streams, s.ToStream)
	}
	if s.RTMP != nil && a.targets[s.RTMP.Key()] == s.CallID {
		delete(a.targets, s.RTMP.Key())
	}
	var res *StartCallResponse
	var conflict *cluster.Conflict
	switch {
	case m.err == nil && p.abandoned:
		a.log.Warn("startup abandoned by its request: its keys go back", "callId", s.CallID)
		a.releaseClaims(callKeys(s))
		res = &StartCallResponse{Code: Unavailable, Message: "the request was abandoned"}
	case m.err == nil:
		res = a.spawn(ctx, s, p.token)
	case errors.As(m.err, &conflict):
		res = &StartCallResponse{Code: Conflict, Message: conflictMessage(s, conflict)}
	case errors.Is(m.err, cluster.ErrLeaseLost):
		res = &StartCallResponse{Code: Unavailable, Message: "this node lost its etcd lease and cannot guarantee uniqueness; try another node"}
	default:
		a.log.Warn("cluster claim failed", "callId", s.CallID, "err", m.err)
		res = &StartCallResponse{Code: Unavailable, Message: m.err.Error()}
	}
	ctx.Send(p.sender, res)
}

// conflictMessage is the 409 message a single node gives for the same key.
func conflictMessage(s callapi.Startup, c *cluster.Conflict) string {
	switch c.Key.Kind {
	case cluster.KeyStream:
		return fmt.Sprintf("toStream %q is already used by call %q", s.ToStream, c.Owner.CallID)
	case cluster.KeyTarget:
		return fmt.Sprintf("rtmpUrl+rtmpStream %s is already used by call %q", s.RTMP.Redacted(), c.Owner.CallID)
	}
	return fmt.Sprintf("callId %q is already in use", s.CallID)
}

// releaseClaims gives keys back to the cluster from a goroutine; a failed release is only
// logged, since the keys still go with the node's lease.
func (a *Actor) releaseClaims(keys []cluster.Key) {
	if a.cfg.Cluster == nil || len(keys) == 0 {
		return
	}
	claimer, log := a.cfg.Cluster, a.log
	go func() {
		c, cancel := context.WithTimeout(context.Background(), claimTimeout)
		defer cancel()
		if err := claimer.Release(c, keys); err != nil {
			log.Warn("cluster release failed; the keys go with the lease", "err", err)
		}
	}()
}

func (a *Actor) reportLive() {
	if a.cfg.Cluster != nil {
		a.cfg.Cluster.SetLive(len(a.byPID))
	}
}

// handleClusterLost: the node's keys may belong to others now. Unless told to keep them, every
// live call ends (its stream could be started elsewhere, and two publishers would fight).
func (a *Actor) handleClusterLost(ctx actor.Context) {
	if a.cfg.KeepOnClusterLoss {
		a.log.Warn("cluster lease lost: keeping the live calls", "calls", len(a.byPID))
		return
	}
	a.log.Error("cluster lease lost: ending every live call", "calls", len(a.byPID))
	for _, e := range a.byPID {
		if e.live {
			a.endCall(ctx, e, "cluster lease lost: this node could no longer guarantee uniqueness")
		}
	}
}

// handleClusterRegained claims the kept calls' keys again under the new lease; a call whose
// key was taken meanwhile ends.
func (a *Actor) handleClusterRegained(ctx actor.Context) {
	self, system, claimer := ctx.Self(), ctx.ActorSystem(), a.cfg.Cluster
	for _, e := range a.byPID {
		if !e.live {
			continue
		}
		keys := callKeys(e.spec)
		for _, p := range a.pushes {
			if p.callID == e.spec.CallID {
				keys = append(keys, cluster.Key{Kind: cluster.KeyPush, Value: p.key})
			}
		}
		id, seq := e.spec.CallID, e.seq
		go func() {
			c, cancel := context.WithTimeout(context.Background(), claimTimeout)
			defer cancel()
			system.Root.Send(self, &reclaimed{callID: id, seq: seq, err: claimer.Claim(c, cluster.Owner{CallID: id}, keys)})
		}()
	}
}

func (a *Actor) handleReclaimed(ctx actor.Context, m *reclaimed) {
	e := a.calls[m.callID]
	if e == nil || e.seq != m.seq || !e.live {
		return
	}
	if m.err == nil {
		a.log.Info("kept call claimed again", "callId", m.callID)
		return
	}
	a.log.Error("a kept call's keys could not be claimed again: ending it", "callId", m.callID, "err", m.err)
	a.endCall(ctx, e, "cluster: its keys were taken elsewhere while this node's lease was lost")
}

// endCall hangs a call up for the cluster's sake; it stays visible with the reason.
func (a *Actor) endCall(ctx actor.Context, e *entry, reason string) {
	e.endedBy = reason
	ctx.Send(e.pid, &call.Hangup{Reason: reason})
}
