// Package clusterfront makes every node of a sipcast cluster answer for all of them: a request
// about a call (or push) another node owns is forwarded to the owner, found through the
// cluster's claims; a search fans out to every live node and merges; a startup past this node's
// capacity is placed on the least-loaded live node. Requests another node sends are answered
// from this node's own calls only (HeaderLocal), so nothing is forwarded twice.
package clusterfront

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sipcast/sipcast/actors/engine"
	"github.com/sipcast/sipcast/actors/registry"
	"github.com/sipcast/sipcast/internal/cluster"
	"github.com/sipcast/sipcast/media/frame"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// Local is what the front needs of this node's engine: api.Calls and api.Pushes (spelled out,
// so this package needs nothing of api/).
type Local interface {
	StartCall(ctx context.Context, spec callapi.Startup) (callapi.Call, error)
	Find(ctx context.Context, filter map[string]any) ([]callapi.Call, error)
	Terminate(ctx context.Context, callID string) error
	SendDTMF(ctx context.Context, callID, digits, kind string) (sent string, err error)
	StartPush(ctx context.Context, spec callapi.PushStart, sound *frame.Sound) (callapi.Push, error)
	FindPushes(ctx context.Context, streamName, rtmpURL string) ([]callapi.Push, error)
	PushCommand(ctx context.Context, id string, op callapi.PushOp, sound *frame.Sound) (callapi.Push, error)
}

// Membership is what the front needs of the cluster (cluster.Node is one).
type Membership interface {
	ID() string
	Lookup(ctx context.Context, k cluster.Key) (cluster.Owner, bool, error)
	Nodes(ctx context.Context) ([]cluster.NodeInfo, error)
}

// Config configures the front.
type Config struct {
	// User and Password are sent (HTTP Basic) with every request to another node: a REST user
	// every node accepts. Empty: none (nodes without authentication).
	User, Password string
	// Client sends the requests to other nodes. Default: a client with a 10 s timeout; give
	// one with the TLS trust of https node URLs.
	Client *http.Client
	Logger *slog.Logger
}

// Front is the REST API's engine in a cluster. It embeds the engine, so any engine method it
// does not override (routes added later) still serves this node's calls.
type Front struct {
	*engine.Engine
	local Local
	m     Membership
	self  string
	cfg   Config
	log   *slog.Logger
}

// New wraps eng (also the Local; a test may give another) for membership m.
func New(eng *engine.Engine, local Local, m Membership, cfg Config) *Front {
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Front{Engine: eng, local: local, m: m, self: m.ID(), cfg: cfg, log: cfg.Logger.With("component", "clusterfront")}
}

// StartCall starts the call here; when this node is full, on the least-loaded live node that
// is not (by live calls, then load). Every node full is cluster.ErrNoNode (503).
func (f *Front) StartCall(ctx context.Context, spec callapi.Startup) (callapi.Call, error) {
	c, err := f.local.StartCall(ctx, spec)
	body := rawBody(ctx)
	if !errors.Is(err, registry.ErrFull) || isLocal(ctx) || len(body) == 0 {
		return c, err
	}
	nodes, nerr := f.m.Nodes(ctx)
	if nerr != nil {
		return c, err
	}
	var free []cluster.NodeInfo
	for _, n := range nodes {
		if n.ID != f.self && !n.Full() {
			free = append(free, n)
		}
	}
	sort.SliceStable(free, func(i, j int) bool {
		if free[i].LiveCalls != free[j].LiveCalls {
			return free[i].LiveCalls < free[j].LiveCalls
		}
		return free[i].Load < free[j].Load
	})
	for _, n := range free {
		var out []callapi.Call
		perr := f.post(ctx, n.ID, n.URL, "/rest-api/call/startup", body, &out)
		if perr == nil && len(out) == 1 {
			f.log.Info("call placed on another node", "callId", spec.CallID, "node", n.ID)
			return out[0], nil
		}
		if perr != nil && !errors.Is(perr, callapi.ErrUnavailable) {
			return callapi.Call{}, perr // a 409 or 400 from the node that would have taken it
		}
		f.log.Warn("placement: node did not take the call", "node", n.ID, "err", perr)
	}
	return callapi.Call{}, fmt.Errorf("%w (%d live nodes)", cluster.ErrNoNode, len(nodes))
}

// Find answers a lone callId from this node, else from the call's owner, else from every node;
// any other filter from every node.
func (f *Front) Find(ctx context.Context, filter map[string]any) ([]callapi.Call, error) {
	if isLocal(ctx) {
		return f.local.Find(ctx, filter)
	}
	if id, ok := onlyCallID(filter); ok {
		calls, err := f.local.Find(ctx, filter)
		if err != nil || len(calls) > 0 {
			return calls, err
		}
		if o, held, err := f.m.Lookup(ctx, cluster.Key{Kind: cluster.KeyCallID, Value: id}); err == nil && held && o.NodeID != f.self {
			var out []callapi.Call
			err := f.post(ctx, o.NodeID, o.URL, "/rest-api/call/find", mustJSON(filter), &out)
			if err == nil || !notFound(err) {
				return out, err
			}
		}
		// Not held: ended (still shown by its node for a while) or unknown.
	}
	return fanOut(ctx, f, func(ctx context.Context) ([]callapi.Call, error) { return f.local.Find(ctx, filter) },
		"/rest-api/call/find", mustJSON(filter))
}

// Terminate ends the call wherever it runs.
func (f *Front) Terminate(ctx context.Context, callID string) error {
	err := f.local.Terminate(ctx, callID)
	if isLocal(ctx) || !notFound(err) {
		return err
	}
	return f.elsewhere(ctx, callID, "/rest-api/call/terminate", mustJSON(map[string]string{"callId": callID}), nil, err)
}

// SendDTMF plays digits into the call wherever it runs, and says how they went (the owner's
// answer names it).
func (f *Front) SendDTMF(ctx context.Context, callID, digits, kind string) (string, error) {
	sent, err := f.local.SendDTMF(ctx, callID, digits, kind)
	if isLocal(ctx) || !notFound(err) {
		return sent, err
	}
	body := mustJSON(map[string]string{"callId": callID, "dtmf": digits, "type": kind})
	var answer struct {
		Type string `json:"type"`
	}
	if err := f.elsewhere(ctx, callID, "/rest-api/call/send_dtmf", body, &answer, err); err != nil {
		return "", err
	}
	return answer.Type, nil
}

// elsewhere sends a request about callID to the node holding its callId, or, when none holds it
// (an ended call still shown), to each other live node until one knows it. notHere is the
// answer when none does.
func (f *Front) elsewhere(ctx context.Context, callID, path string, body []byte, out any, notHere error) error {
	o, held, err := f.m.Lookup(ctx, cluster.Key{Kind: cluster.KeyCallID, Value: callID})
	if err == nil && held && o.NodeID != f.self {
		if err := f.post(ctx, o.NodeID, o.URL, path, body, out); !notFound(err) {
			return err
		}
	}
	return f.tryEach(ctx, path, body, out, notHere)
}

// tryEach sends the request to every other live node in turn until one answers other than 404.
func (f *Front) tryEach(ctx context.Context, path string, body []byte, out any, notHere error) error {
	nodes, err := f.m.Nodes(ctx)
	if err != nil {
		return notHere
	}
	for _, n := range nodes {
		if n.ID == f.self {
			continue
		}
		if err := f.post(ctx, n.ID, n.URL, path, body, out); !notFound(err) {
			return err
		}
	}
	return notHere
}

// fanOut asks this node (mine) and every other live node (path, body) and merges the lists in
// node id order, so every node gives the same answer. A node that does not answer is left out
// and logged: its calls are unreachable for now, the others' are not.
func fanOut[T any](ctx context.Context, f *Front, mine func(context.Context) ([]T, error), path string, body []byte) ([]T, error) {
	nodes, err := f.m.Nodes(ctx)
	if err != nil {
		f.log.Warn("fan-out: node list unavailable; answering with this node's calls", "err", err)
		return mine(ctx)
	}
	results := make([][]T, len(nodes))
	errs := make([]error, len(nodes))
	var wg sync.WaitGroup
	for i, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if n.ID == f.self {
				results[i], errs[i] = mine(ctx)
				return
			}
			errs[i] = f.post(ctx, n.ID, n.URL, path, body, &results[i])
		}()
	}
	wg.Wait()
	var out []T
	for i, n := range nodes {
		switch {
		case errs[i] == nil:
			out = append(out, results[i]...)
		case notFound(errs[i]):
		case n.ID == f.self:
			return nil, errs[i]
		default:
			f.log.Warn("fan-out: node did not answer", "node", n.ID, "err", errs[i])
		}
	}
	return out, nil
}

// StartPush starts the push on the node that owns the stream's call.
func (f *Front) StartPush(ctx context.Context, spec callapi.PushStart, sound *frame.Sound) (callapi.Push, error) {
	body := rawBody(ctx)
	if isLocal(ctx) || len(body) == 0 {
		return f.local.StartPush(ctx, spec, sound)
	}
	o, held, err := f.m.Lookup(ctx, cluster.Key{Kind: cluster.KeyStream, Value: spec.StreamName})
	if err != nil || !held || o.NodeID == f.self {
		return f.local.StartPush(ctx, spec, sound)
	}
	var p callapi.Push
	err = f.post(ctx, o.NodeID, o.URL, "/rest-api/push/startup", body, &p)
	return p, err
}

// FindPushes lists the pushes of every node.
func (f *Front) FindPushes(ctx context.Context, streamName, rtmpURL string) ([]callapi.Push, error) {
	mine := func(ctx context.Context) ([]callapi.Push, error) { return f.local.FindPushes(ctx, streamName, rtmpURL) }
	if isLocal(ctx) {
		return mine(ctx)
	}
	return fanOut(ctx, f, mine, "/rest-api/push/find", mustJSON(map[string]string{"streamName": streamName, "rtmpUrl": rtmpURL}))
}

// pushPaths names the REST method of each push operation.
var pushPaths = map[callapi.PushOp]string{
	callapi.PushTerminate: "/rest-api/push/terminate", callapi.PushMute: "/rest-api/push/mute",
	callapi.PushUnmute: "/rest-api/push/unmute", callapi.PushSoundOn: "/rest-api/push/sound_on",
	callapi.PushSoundOff: "/rest-api/push/sound_off",
}

// PushCommand acts on the push wherever it runs (a mediaSessionId names no node: the nodes are
// asked in turn).
func (f *Front) PushCommand(ctx context.Context, id string, op callapi.PushOp, sound *frame.Sound) (callapi.Push, error) {
	p, err := f.local.PushCommand(ctx, id, op, sound)
	if isLocal(ctx) || !notFound(err) {
		return p, err
	}
	body := rawBody(ctx)
	if len(body) == 0 {
		body = mustJSON(map[string]string{"mediaSessionId": id})
	}
	var out callapi.Push
	if err := f.tryEach(ctx, pushPaths[op], body, &out, err); err != nil {
		return callapi.Push{}, err
	}
	return out, nil
}

// onlyCallID reports whether the filter is a lone callId (the clients' poll).
func onlyCallID(filter map[string]any) (string, bool) {
	if len(filter) != 1 {
		return "", false
	}
	id, ok := filter["callId"].(string)
	return strings.TrimSpace(id), ok
}
