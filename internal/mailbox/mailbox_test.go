package mailbox

import (
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

func droppable(m any) bool { _, ok := m.(*media); return ok }

// recorder blocks on its first message until released, then records what it gets.
type recorder struct {
	release <-chan struct{}
	got     chan<- any
	blocked bool
}

func (r *recorder) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *media, *control:
		if !r.blocked {
			r.blocked = true
			<-r.release
		}
		r.got <- m
	case *boom:
		panic("boom")
	}
}

func spawn(t *testing.T, c Config) (*actor.RootContext, *actor.PID, chan struct{}, chan any) {
	t.Helper()
	system := actor.NewActorSystem()
	t.Cleanup(system.Shutdown)
	release, got := make(chan struct{}), make(chan any, 1000)
	props := actor.PropsFromProducer(func() actor.Actor { return &recorder{release: release, got: got} },
		actor.WithMailbox(Producer(c)))
	return system.Root, system.Root.Spawn(props), release, got
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

// A full mailbox drops the media that arrive on top of Size waiting, counts them, and still
// queues every control message, in the order sent.
func TestFullMailboxDropsMediaOnly(t *testing.T) {
	var dropped atomic.Uint64
	before := metrics.MailboxDropped.With("test-full").Value()
	root, pid, release, got := spawn(t, Config{Actor: "test-full", Size: 4, Droppable: droppable, Dropped: &dropped})

	root.Send(pid, &control{0}) // the actor blocks on this one
	for i := range 10 {
		root.Send(pid, &media{i})
		if i%3 == 0 {
			root.Send(pid, &control{i + 1})
		}
	}
	close(release)
	out := receive(t, got, 1+4+4)
	// Caught up: there is room for Size media again.
	for i := range 4 {
		root.Send(pid, &media{100 + i})
	}
	receive(t, got, 4)

	want := []any{&control{0}, &media{0}, &control{1}, &media{1}, &media{2}, &media{3}, &control{4},
		&control{7}, &control{10}}
	for i, m := range out {
		switch w := want[i].(type) {
		case *media:
			if g, ok := m.(*media); !ok || g.n != w.n {
				t.Fatalf("message %d: %#v, want media %d", i, m, w.n)
			}
		case *control:
			if g, ok := m.(*control); !ok || g.n != w.n {
				t.Fatalf("message %d: %#v, want control %d", i, m, w.n)
			}
		}
	}
	if dropped.Load() != 6 {
		t.Fatalf("Dropped %d, want 6", dropped.Load())
	}
	if n := metrics.MailboxDropped.With("test-full").Value() - before; n != 6 {
		t.Fatalf("sipcast_mailbox_dropped_total rose by %d, want 6", n)
	}
}

// Once the actor caught up, the mailbox takes Size media again: delivered messages leave the
// count, also one whose handling panicked.
func TestDeliveredMediaLeaveTheCount(t *testing.T) {
	var dropped atomic.Uint64
	system := actor.NewActorSystem()
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
			system := actor.NewActorSystem()
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
