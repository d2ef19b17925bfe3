package mailbox

import (
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/internal/metrics"
)

type (
	media   struct{ n int }
	control struct{ n int }
	boom    struct{}
)

// newSystem is an actor system that logs nothing: its log lines would cut into benchmark output.
func newSystem() *actor.ActorSystem {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	return actor.NewActorSystemWithConfig(actor.Configure(
		actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return quiet })))
}

func droppable(m any) bool { _, ok := m.(*media); return ok }

// recorder blocks on its first message until released, then records what it gets.
type recorder struct {
	blocked chan<- struct{}
	release <-chan struct{}
	got     chan<- any
	waited  bool
}

func (r *recorder) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *media, *control:
		if !r.waited {
			r.waited = true
			if r.blocked != nil {
				r.blocked <- struct{}{}
			}
			<-r.release
		}
		r.got <- m
	case *boom:
		panic("boom")
	}
}

func receive(t *testing.T, got <-chan any, n int) []any {
	t.Helper()
	var out []any
	for range n {
		select {
		case m := <-got:
			out = append(out, m)
		case <-time.After(10 * time.Second):
			t.Fatalf("got %d messages, want %d", len(out), n)
		}
	}
	select {
	case m := <-got:
		t.Fatalf("one message too many: %#v", m)
	case <-time.After(100 * time.Millisecond):
	}
	return out
}

// A full mailbox drops the media that arrive while Size messages wait, counts them, and still
// queues every control message; what it keeps comes in the order sent.
func TestFullMailboxDropsMediaOnly(t *testing.T) {
	var dropped atomic.Uint64
	before := metrics.MailboxDropped.With("test-full").Value()
	system := newSystem()
	t.Cleanup(system.Shutdown)
	blocked, release, got := make(chan struct{}), make(chan struct{}), make(chan any, 100)
	props := actor.PropsFromProducer(func() actor.Actor { return &recorder{blocked: blocked, release: release, got: got} },
		actor.WithMailbox(Producer(Config{Actor: "test-full", Size: 4, Droppable: droppable, Dropped: &dropped})))
	root := system.Root
	pid := root.Spawn(props)

	root.Send(pid, &control{0})
	<-blocked // the actor holds control 0: the mailbox is empty
	for i := range 7 {
		root.Send(pid, &media{i}) // 0-3 wait, 4-6 are dropped
	}
	root.Send(pid, &control{1}) // queued all the same
	root.Send(pid, &control{2})
	root.Send(pid, &media{7}) // dropped
	close(release)

	out := receive(t, got, 7)
	want := []string{"c0", "m0", "m1", "m2", "m3", "c1", "c2"}
	for i, m := range out {
		var name string
		switch m := m.(type) {
		case *media:
			name = fmt.Sprintf("m%d", m.n)
		case *control:
			name = fmt.Sprintf("c%d", m.n)
		}
		if name != want[i] {
			t.Fatalf("message %d is %s, want %s (want all: %v)", i, name, want[i], want)
		}
	}
	if dropped.Load() != 4 {
		t.Fatalf("Dropped %d, want 4", dropped.Load())
	}
	if n := metrics.MailboxDropped.With("test-full").Value() - before; n != 4 {
		t.Fatalf("sipcast_mailbox_dropped_total rose by %d, want 4", n)
	}
	// Caught up: there is room for Size media again.
	for i := range 4 {
		root.Send(pid, &media{100 + i})
	}
	receive(t, got, 4)
	if dropped.Load() != 4 {
		t.Fatalf("Dropped %d after the actor caught up, want still 4", dropped.Load())
	}
}

// Once the actor caught up, the mailbox takes Size media again: delivered messages leave the
// count, also one whose handling panicked.
func TestDeliveredMediaLeaveTheCount(t *testing.T) {
	var dropped atomic.Uint64
	system := newSystem()
	t.Cleanup(system.Shutdown)
	got := make(chan any, 100)
	released := make(chan struct{})
	close(released)
	panicky := func(m any) bool {
		switch m.(type) {
		case *media, *boom:
			return true
		}
		return false
	}
	props := actor.PropsFromProducer(func() actor.Actor { return &recorder{release: released, got: got} },
		actor.WithMailbox(Producer(Config{Actor: "test-count", Size: 3, Droppable: panicky, Dropped: &dropped})))
	pid := system.Root.Spawn(props)
	for range 3 {
		system.Root.Send(pid, &boom{}) // the actor restarts after each
	}
	system.Root.Send(pid, &control{}) // in order: it comes once the booms are handled
	receive(t, got, 1)
	for round := range 3 {
		for i := range 3 {
			system.Root.Send(pid, &media{i})
		}
		receive(t, got, 3)
		if dropped.Load() != 0 {
			t.Fatalf("round %d: %d dropped with the actor keeping up", round, dropped.Load())
		}
	}
}

// The mailbox's cost on the path every RTP packet takes: one post and one delivery.
func BenchmarkPost(b *testing.B) {
	for _, bc := range []struct {
		name string
		mb   actor.MailboxProducer
	}{
		{"unbounded", actor.Unbounded()},
		{"bounded", Producer(Config{Actor: "bench", Size: 1 << 20, Droppable: droppable})},
	} {
		b.Run(bc.name, func(b *testing.B) {
			system := newSystem()
			defer system.Shutdown()
			done := make(chan struct{}, 1)
			var n atomic.Int64
			props := actor.PropsFromFunc(func(ctx actor.Context) {
				if _, ok := ctx.Message().(*media); ok && n.Add(-1) == 0 {
					done <- struct{}{}
				}
			}, actor.WithMailbox(bc.mb))
			pid := system.Root.Spawn(props)
			msg := &media{}
			b.ReportAllocs()
			n.Store(int64(b.N))
			for b.Loop() {
				system.Root.Send(pid, msg)
			}
			<-done
		})
	}
}

// BenchmarkHop is one mailbox hop to an idle actor, as an RTP actor sees a call's packets at a
// few hundred a second: the message is posted, the actor's goroutine is woken, runs, and parks
// again before the next one (a ping-pong, where BenchmarkPost measures a stream that keeps the
// actor busy). A batched read saves one of these for every datagram it adds to a batch.
func BenchmarkHop(b *testing.B) {
	system := newSystem()
	defer system.Shutdown()
	back := make(chan struct{})
	pid := system.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		if _, ok := ctx.Message().(*media); ok {
			back <- struct{}{}
		}
	}, actor.WithMailbox(Producer(Config{Actor: "bench", Size: 1024, Droppable: droppable}))))
	msg := &media{}
	b.ReportAllocs()
	for b.Loop() {
		system.Root.Send(pid, msg)
		<-back
	}
}
