package registry

import (
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/actors/call"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// The registry alone, in a test actor system: its calls are fakeCall actors, so these tests are
// about its rules — unique keys, their release, pushes, the listing — and nothing of SIP.
// actors/engine runs it with the real call actors.

// fakeCall stands in for a call actor: it reports its first snapshot as a real one does, ends
// on Hangup, and hands the test what the registry sends it.
type fakeCall struct {
	spec callapi.Startup
	got  chan<- any
}

// endAs makes a fakeCall report a final status of its own (callee hung up, busy, failed).
type endAs struct{ status string }

// crash makes a fakeCall panic: its supervisor, the registry, stops it.
type crash struct{}

func (f *fakeCall) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		f.report(ctx, callapi.StatusTrying, false)
	case *call.Hangup:
		f.report(ctx, callapi.StatusFinish, true)
	case *endAs:
		f.report(ctx, m.status, false)
	case *crash:
		panic("fake call: crash requested")
	case *call.AddPush, *call.RemovePush, *call.PushAudio:
		f.got <- m
	}
}

func (f *fakeCall) report(ctx actor.Context, status string, byRequest bool) {
	c := call.NewCallObject(f.spec, "node-1")
	c.Status = status
	ctx.Send(ctx.Parent(), &call.Updated{Call: c, ByRequest: byRequest, Width: 640, Height: 360})
}

// published is one event the registry handed to Config.Publish.
type published struct {
	event, callID, appKey string
	body                  any
}

type harness struct {
	t      *testing.T
	system *actor.ActorSystem
	pid    *actor.PID
	toCall chan any // what the fake calls received

	mu        sync.Mutex
	snapshots []callapi.Call
	events    []published
	expiries  []expiry // scheduled by the registry, fired by the test
}

// expiry is one EndedTTL wait the registry asked for.
type expiry struct {
	d time.Duration
	f func()
}

// newHarness starts a registry whose ended calls expire only when the test fires their wait.
func newHarness(t *testing.T, ttl time.Duration) *harness {
	t.Helper()
	h := &harness{t: t, system: actor.NewActorSystem(), toCall: make(chan any, 64)}
	props := NewProps(Config{
		EndedTTL: ttl,
		After: func(d time.Duration, f func()) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.expiries = append(h.expiries, expiry{d, f})
		},
		NodeID: "node-1",
		NewCall: func(spec callapi.Startup) *actor.Props {
			return actor.PropsFromProducer(func() actor.Actor { return &fakeCall{spec: spec, got: h.toCall} })
		},
		Events: func(c callapi.Call) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.snapshots = append(h.snapshots, c)
		},
		Publish: func(event, callID, appKey string, body any) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.events = append(h.events, published{event, callID, appKey, body})
		},
	})
	pid, err := h.system.Root.SpawnNamed(props, "registry")
	if err != nil {
		t.Fatal(err)
	}
	h.pid = pid
	t.Cleanup(func() { _ = h.system.Root.StopFuture(pid).Wait() })
	return h
}

// expire fires the i-th EndedTTL wait the registry asked for, once it has asked, and checks it
// asked for ttl.
func (h *harness) expire(i int, ttl time.Duration) {
	h.t.Helper()
	var e expiry
	h.waitFor("expiry scheduled", func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		if len(h.expiries) <= i {
			return false
		}
		e = h.expiries[i]
		return true
	})
	if e.d != ttl {
		h.t.Fatalf("expiry after %s, want %s", e.d, ttl)
	}
	e.f()
	h.ask(&FindCalls{}) // the expiry is handled before the answer
}

// ask sends the registry a request and returns its answer.
func (h *harness) ask(msg any) any {
	h.t.Helper()
	res, err := h.system.Root.RequestFuture(h.pid, msg, 5*time.Second).Result()
	if err != nil {
		h.t.Fatalf("%T: %v", msg, err)
	}
	return res
}

func (h *harness) start(body string) *StartCallResponse {
	h.t.Helper()
	s, err := callapi.ParseStartup([]byte(body))
	if err != nil {
		h.t.Fatal(err)
	}
	return h.ask(&StartCall{Spec: s}).(*StartCallResponse)
}

func (h *harness) mustStart(body string) {
	h.t.Helper()
	if res := h.start(body); res.Code != OK {
		h.t.Fatalf("start refused: %v %s", res.Code, res.Message)
	}
}

func (h *harness) find(filter map[string]any) []callapi.Call {
	h.t.Helper()
	return h.ask(&FindCalls{Filter: filter}).(*FindCallsResponse).Calls
}

// live is the actor of a live call, or nil.
func (h *harness) live(callID string) *actor.PID {
	h.t.Helper()
	return h.ask(&LookupCall{CallID: callID}).(*LookupCallResponse).PID
}

// tell sends a live call's fake actor a test message.
func (h *harness) tell(callID string, msg any) {
	h.t.Helper()
	pid := h.live(callID)
	if pid == nil {
		h.t.Fatalf("no live call %s", callID)
	}
	h.system.Root.Send(pid, msg)
}

// waitFor polls until cond holds (generous: CI is a loaded 2-core box).
func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	h.t.Fatalf("never: %s", what)
}

// status is the listed status of a call, "" when not listed.
func (h *harness) status(callID string) string {
	calls := h.find(map[string]any{"callId": callID})
	if len(calls) != 1 {
		return ""
	}
	return calls[0].Status
}

// received waits for the next message a fake call got from the registry.
func (h *harness) received() any {
	h.t.Helper()
	select {
	case m := <-h.toCall:
		return m
	case <-time.After(5 * time.Second):
		h.t.Fatal("the call got nothing")
		return nil
	}
}
