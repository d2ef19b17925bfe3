package viewer

import (
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/actors/rtp"
)

// A hub that restarts (a panic under its parent's default supervision) has lost what the call's
// lines carry; it asks its parent, the call, for them again (rtp.Retap) — and only then: a first
// start is tapped by the call itself.
func TestHubRestartAsksForItsLines(t *testing.T) {
	sys := actor.NewActorSystem()
	hubs := make(chan *actor.PID, 1)
	retaps := make(chan *rtp.Retap, 4)
	parent := sys.Root.Spawn(actor.PropsFromFunc(func(c actor.Context) {
		switch m := c.Message().(type) {
		case *actor.Started:
			hubs <- c.Spawn(NewProps(Config{Stream: "s"}))
		case *rtp.Retap:
			retaps <- m
		}
	}))
	defer sys.Root.Stop(parent)
	hub := <-hubs
	select {
	case m := <-retaps:
		t.Fatalf("a first start asked for a retap: %+v", m)
	case <-time.After(200 * time.Millisecond):
	}
	sys.Root.Send(hub, &AddViewer{}) // no sink: the hub panics and is restarted
	select {
	case m := <-retaps:
		if !m.PID.Equal(hub) {
			t.Fatalf("retap for %v, want the hub %v", m.PID, hub)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("the restarted hub did not ask for its lines")
	}
}
