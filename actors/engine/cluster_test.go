package engine

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/actors/call"
	"github.com/sipcast/sipcast/actors/call/calltest"
	"github.com/sipcast/sipcast/actors/registry"
	"github.com/sipcast/sipcast/actors/rtp"
	"github.com/sipcast/sipcast/internal/cluster"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// fakeCluster is an in-memory claimer: unit-level stand-in for etcd (the real one is exercised
// by internal/cluster's tests and the e2e test). held maps "kind/value" to its owner.
type fakeCluster struct {
	mu       sync.Mutex
	held     map[string]cluster.Owner
	lost     bool
	live     int
	released []string
}

func (f *fakeCluster) Claim(_ context.Context, o cluster.Owner, keys []cluster.Key) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.lost {
		return cluster.ErrLeaseLost
	}
	for _, k := range keys {
		if h, ok := f.held[string(k.Kind)+"/"+k.Value]; ok {
			return &cluster.Conflict{Key: k, Owner: h}
		}
	}
	for _, k := range keys {
		f.held[string(k.Kind)+"/"+k.Value] = o
	}
	return nil
}

func (f *fakeCluster) Release(_ context.Context, keys []cluster.Key) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, k := range keys {
		delete(f.held, string(k.Kind)+"/"+k.Value)
		f.released = append(f.released, string(k.Kind)+"/"+k.Value)
	}
	return nil
}

func (f *fakeCluster) SetLive(n int) { f.mu.Lock(); f.live = n; f.mu.Unlock() }

func (f *fakeCluster) isHeld(key string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.held[key]
	return ok
}

func newClusterEngine(t *testing.T, fc *fakeCluster, keep bool, maxCalls int) *Engine {
	t.Helper()
	sig := &calltest.Signaling{Script: calltest.Script{AnswerSDP: []byte(answerSDP)}}
	base := int(portBase.Add(200))
	ports, err := rtp.NewPorts(net.ParseIP("127.0.0.1"), base, base+199)
	if err != nil {
		t.Fatal(err)
	}
	var claimer registry.Claimer
	if fc != nil {
		claimer = fc
	}
	eng, err := Start(registry.Config{
		EndedTTL: time.Second, NodeID: "a", MaxCalls: maxCalls, Cluster: claimer, KeepOnClusterLoss: keep,
		NewCall: func(spec callapi.Startup) *actor.Props {
			return call.NewProps(call.Config{Spec: spec, SIP: sig, Ports: ports, MediaIP: "127.0.0.1",
				InviteTimeout: 2 * time.Second, RTMPConnectTimeout: time.Second})
		},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Stop(5 * time.Second) })
	return eng
}

// A key another node holds is a 409 with the single node's message; the registry claims a
// started call's keys and gives them back when it ends.
func TestClusterClaimAndRelease(t *testing.T) {
	fc := &fakeCluster{held: map[string]cluster.Owner{
		"toStream/taken": {NodeID: "b", CallID: "other"},
		"callId/dup":     {NodeID: "b", CallID: "dup"},
	}}
	eng := newClusterEngine(t, fc, false, 0)
	ctx := context.Background()
	for body, want := range map[string]string{
		`{"callId":"c1","callee":"x","sipDomain":"h","toStream":"taken"}`: `toStream "taken" is already used by call "other"`,
		`{"callId":"dup","callee":"x","sipDomain":"h","toStream":"s9"}`:   `callId "dup" is already in use`,
	} {
		_, err := eng.StartCall(ctx, spec(t, body))
		if !errors.Is(err, registry.ErrConflict) || !strings.HasSuffix(err.Error(), want) {
			t.Errorf("start %s = %v, want a conflict ending %q", body, err, want)
		}
	}
	if fc.isHeld("callId/c1") {
		t.Fatal("a refused claim left c1's callId held")
	}
	if _, err := eng.StartCall(ctx, spec(t, `{"callId":"c1","callee":"x","sipDomain":"h","toStream":"s1"}`)); err != nil {
		t.Fatal(err)
	}
	if !fc.isHeld("callId/c1") || !fc.isHeld("toStream/s1") {
		t.Fatalf("c1's keys not claimed: %v", fc.held)
	}
	waitStatus(t, eng, "c1", callapi.StatusEstablished)
	if err := eng.Terminate(ctx, "c1"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for fc.isHeld("callId/c1") || fc.isHeld("toStream/s1") {
		if time.Now().After(deadline) {
			t.Fatalf("c1's keys not released after terminate: %v", fc.held)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Past MaxCalls a startup is ErrFull (a 503 alone; the cluster places it elsewhere).
func TestMaxCalls(t *testing.T) {
	eng := newClusterEngine(t, nil, false, 1)
	ctx := context.Background()
	if _, err := eng.StartCall(ctx, spec(t, `{"callId":"c1","callee":"x","sipDomain":"h","toStream":"s1"}`)); err != nil {
		t.Fatal(err)
	}
	_, err := eng.StartCall(ctx, spec(t, `{"callId":"c2","callee":"x","sipDomain":"h","toStream":"s2"}`))
	if !errors.Is(err, registry.ErrFull) || !errors.Is(err, callapi.ErrUnavailable) {
		t.Fatalf("second call past max 1: %v, want ErrFull", err)
	}
	if err := eng.Terminate(ctx, "c1"); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.StartCall(ctx, spec(t, `{"callId":"c2","callee":"x","sipDomain":"h","toStream":"s2"}`)); err != nil {
		t.Fatalf("after the first ended: %v", err)
	}
}

// A lost lease: new calls are refused (503), and live calls end — or, with keep, stay and are
// claimed again once the lease is back; a kept call whose key was taken meanwhile ends.
func TestClusterLost(t *testing.T) {
	for _, keep := range []bool{false, true} {
		fc := &fakeCluster{held: map[string]cluster.Owner{}}
		eng := newClusterEngine(t, fc, keep, 0)
		ctx := context.Background()
		for _, b := range []string{`{"callId":"c1","callee":"x","sipDomain":"h","toStream":"s1"}`,
			`{"callId":"c2","callee":"x","sipDomain":"h","toStream":"s2"}`} {
			if _, err := eng.StartCall(ctx, spec(t, b)); err != nil {
				t.Fatal(err)
			}
		}
		waitStatus(t, eng, "c1", callapi.StatusEstablished)
		waitStatus(t, eng, "c2", callapi.StatusEstablished)
		fc.mu.Lock()
		fc.lost, fc.held = true, map[string]cluster.Owner{} // the lease's keys are gone with it
		fc.mu.Unlock()
		eng.System.Root.Send(eng.Registry, &registry.ClusterLost{})
		if _, err := eng.StartCall(ctx, spec(t, `{"callId":"c3","callee":"x","sipDomain":"h","toStream":"s3"}`)); !errors.Is(err, callapi.ErrUnavailable) ||
			!strings.Contains(err.Error(), "lease") {
			t.Fatalf("keep=%v: start without a lease = %v, want 503 naming the lease", keep, err)
		}
		if !keep {
			waitStatus(t, eng, "c1", callapi.StatusFinish)
			waitStatus(t, eng, "c2", callapi.StatusFinish)
			continue
		}
		time.Sleep(200 * time.Millisecond)
		waitStatus(t, eng, "c1", callapi.StatusEstablished)
		// c2's stream was started elsewhere meanwhile.
		fc.mu.Lock()
		fc.lost = false
		fc.held["toStream/s2"] = cluster.Owner{NodeID: "b", CallID: "z"}
		fc.mu.Unlock()
		eng.System.Root.Send(eng.Registry, &registry.ClusterRegained{})
		waitStatus(t, eng, "c2", callapi.StatusFinish)
		waitStatus(t, eng, "c1", callapi.StatusEstablished)
		if !fc.isHeld("callId/c1") || !fc.isHeld("toStream/s1") {
			t.Fatalf("kept c1 not claimed again: %v", fc.held)
		}
	}
}
