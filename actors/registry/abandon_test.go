package registry

import (
	"context"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/internal/cluster"
	"github.com/sipcast/sipcast/protocol/callapi"
)

const abandonBody = `{"callId":"c1","callee":"a","sipDomain":"h","toStream":"s1"}`

func (h *harness) startWith(body string, deadline time.Time, token uint64) *StartCallResponse {
	h.t.Helper()
	s, err := callapi.ParseStartup([]byte(body))
	if err != nil {
		h.t.Fatal(err)
	}
	return h.ask(&StartCall{Spec: s, Deadline: deadline, Token: token}).(*StartCallResponse)
}

// A startup the registry reaches after its asker stopped waiting starts nothing: the client got
// 503, and a call it never heard of would run until its callee hung up.
func TestStartPastDeadlineStartsNothing(t *testing.T) {
	h := newHarness(t, time.Minute)
	res := h.startWith(abandonBody, time.Now().Add(-time.Millisecond), 1)
	if res.Code != Unavailable {
		t.Fatalf("code %v, want Unavailable", res.Code)
	}
	if h.live("c1") != nil || h.status("c1") != "" {
		t.Fatal("a call was started for a request past its deadline")
	}
	// Its keys were never taken.
	if res := h.startWith(abandonBody, time.Now().Add(time.Minute), 2); res.Code != OK {
		t.Fatalf("the keys of the refused request are held: %v %s", res.Code, res.Message)
	}
}

func TestAbandonStart(t *testing.T) {
	for _, tc := range []struct {
		name    string
		token   uint64 // of the AbandonStart; the call was started with token 7
		callID  string
		wantEnd bool
	}{
		{"its own request", 7, "c1", true},
		{"another request of the same callId", 8, "c1", false},
		{"another call", 7, "c2", false},
		{"no token", 0, "c1", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, time.Minute)
			if res := h.startWith(abandonBody, time.Now().Add(time.Minute), 7); res.Code != OK {
				t.Fatal(res.Message)
			}
			h.waitFor("first snapshot", func() bool { return h.status("c1") == callapi.StatusTrying })
			h.system.Root.Send(h.pid, &AbandonStart{CallID: tc.callID, Token: tc.token})
			if !tc.wantEnd {
				h.find(nil) // the AbandonStart is handled before the answer
				if h.live("c1") == nil {
					t.Fatal("a call another request started was ended")
				}
				return
			}
			h.waitFor("the call to end", func() bool { return h.live("c1") == nil })
			if st := h.status("c1"); st != "" {
				t.Fatalf("the abandoned call is listed (%s): its client was told it failed", st)
			}
			if res := h.startWith(abandonBody, time.Now().Add(time.Minute), 9); res.Code != OK {
				t.Fatalf("its keys were not freed: %v %s", res.Code, res.Message)
			}
		})
	}
}

// gateClaimer is a cluster whose claims wait for the test, and which records releases.
type gateClaimer struct {
	open     chan struct{}
	released chan []cluster.Key
}

func (g *gateClaimer) Claim(ctx context.Context, _ cluster.Owner, _ []cluster.Key) error {
	select {
	case <-g.open:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (g *gateClaimer) SetLive(int) {}

func (g *gateClaimer) Release(_ context.Context, keys []cluster.Key) error {
	g.released <- keys
	return nil
}

// On a cluster, a startup abandoned while etcd still decides starts nothing once the claim
// comes back, and gives the keys it won back.
func TestAbandonWhileClaiming(t *testing.T) {
	g := &gateClaimer{open: make(chan struct{}), released: make(chan []cluster.Key, 4)}
	system := actor.NewActorSystem()
	started := make(chan struct{}, 1)
	pid := system.Root.Spawn(NewProps(Config{EndedTTL: time.Minute, NodeID: "node-1", Cluster: g,
		NewCall: func(spec callapi.Startup) *actor.Props {
			started <- struct{}{}
			return actor.PropsFromProducer(func() actor.Actor { return &fakeCall{spec: spec, got: make(chan any, 8)} })
		}}))
	t.Cleanup(func() { _ = system.Root.StopFuture(pid).Wait() })
	s, err := callapi.ParseStartup([]byte(abandonBody))
	if err != nil {
		t.Fatal(err)
	}
	answer := system.Root.RequestFuture(pid, &StartCall{Spec: s, Deadline: time.Now().Add(time.Minute), Token: 3}, 10*time.Second)
	system.Root.Send(pid, &AbandonStart{CallID: "c1", Token: 3})
	close(g.open)
	res, err := answer.Result()
	if err != nil {
		t.Fatal(err)
	}
	if r := res.(*StartCallResponse); r.Code == OK {
		t.Fatal("an abandoned startup was answered OK")
	}
	select {
	case <-started:
		t.Fatal("an abandoned startup started a call")
	default:
	}
	select {
	case keys := <-g.released:
		if len(keys) != len(callKeys(s)) {
			t.Fatalf("released %d keys, want %d", len(keys), len(callKeys(s)))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the keys claimed for an abandoned startup were never released")
	}
}
