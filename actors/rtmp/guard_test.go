package rtmp

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/url"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/bluenviron/gortmplib"

	"github.com/sipcast/sipcast/demo/rtmpserver"
	"github.com/sipcast/sipcast/media/frame"
)

// Issue #12: gortmplib panics in Writer.Initialize on an SPS it cannot parse. The writer
// goroutine's recover used to log it only, so the actor kept a dead connection ACTIVE. Now the
// panic comes to the actor as a writeFailed of its connection (which it handles as a lost
// connection: RTMP_CONNECTION_LOST, reconnect), and the goroutine ends cleanly.
func TestWriterPanicReported(t *testing.T) {
	srv := &rtmpserver.Server{Addr: "127.0.0.1:0", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	u, err := url.Parse("rtmp://" + srv.ListenAddr().String() + "/live#s")
	if err != nil {
		t.Fatal(err)
	}
	client := &gortmplib.Client{URL: u, Publish: true}
	if err := client.Initialize(ctx); err != nil {
		t.Fatal(err)
	}

	system := actor.NewActorSystem()
	t.Cleanup(system.Shutdown)
	got := make(chan *writeFailed, 1)
	probe := system.Root.Spawn(actor.PropsFromFunc(func(c actor.Context) {
		if m, ok := c.Message().(*writeFailed); ok {
			got <- m
		}
	}))
	a := &Actor{log: slog.New(slog.NewTextHandler(io.Discard, nil)), system: system, self: probe}
	items := make(chan item, 2)
	hostile := []byte{0x67, 0x42, 0xc0, 0x1f, 0xc7, 0xa0, 0x28, 0x0b, 0xe4} // pic_order_cnt_type 14
	items <- item{init: &trackInit{sps: hostile, pps: []byte{0x68, 0xce, 0x3c, 0x80}, audio: frame.NoAudio}}
	close(items)
	done := make(chan struct{})
	go a.writerLoop(client, 7, items, done)

	select {
	case m := <-got:
		if m.gen != 7 || !errors.Is(m.err, ErrPanicked) {
			t.Fatalf("writeFailed gen %d err %v", m.gen, m.err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the panic was not reported to the actor")
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("writer goroutine did not end")
	}
}

// A keyframe whose SPS the checks refuse never becomes a trackInit: the publisher waits for the
// next keyframe and asks for one.
func TestKeyframeWithBadParamsRefused(t *testing.T) {
	system := actor.NewActorSystem()
	t.Cleanup(system.Shutdown)
	asked := make(chan struct{}, 4)
	ready := make(chan *actor.PID, 1)
	system.Root.Spawn(actor.PropsFromFunc(func(c actor.Context) {
		switch c.Message().(type) {
		case *actor.Started:
			a := &Actor{log: slog.New(slog.NewTextHandler(io.Discard, nil)), kept: &kept{tracks: &frame.Tracks{Video: true}},
				items: make(chan item, 4), waitingKey: true}
			ready <- c.Spawn(actor.PropsFromFunc(func(c actor.Context) {
				if f, ok := c.Message().(*frame.VideoFrame); ok {
					a.parent = c.Parent()
					a.handleVideo(c, f)
					if len(a.items) != 0 || a.written != nil || !a.waitingKey {
						t.Errorf("bad keyframe enqueued: %d items, written %v", len(a.items), a.written != nil)
					}
				}
			}))
		case *frame.KeyframeNeeded:
			asked <- struct{}{}
		}
	}))
	pub := <-ready
	system.Root.Send(pub, &frame.VideoFrame{Key: true, SPS: []byte{0x67, 0x42, 0xc0, 0x1f, 0xc7, 0xa0, 0x28, 0x0b, 0xe4},
		PPS: []byte{0x68, 0xce, 0x3c, 0x80}, AU: [][]byte{{0x65, 0x88}}})
	select {
	case <-asked:
	case <-time.After(5 * time.Second):
		t.Fatal("no keyframe asked for")
	}
}
