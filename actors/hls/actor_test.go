package hls

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"

	"github.com/sipcast/sipcast/actors/viewer"
	"github.com/sipcast/sipcast/media/frame"
	"github.com/sipcast/sipcast/protocol/playback"
)

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// No muxer before someone asks, none for a call without H.264 or AAC, one on the first ask of
// an audio-only AAC call, closed when nobody asked for IdleTimeout; the directory forgets a
// stopped actor.
func TestMuxerLifecycle(t *testing.T) {
	sys := actor.NewActorSystem()
	dir := viewer.NewDirectory()
	clk := &fakeClock{now: time.Unix(1000, 0)}
	pid := sys.Root.Spawn(NewProps(Config{Stream: "s", Directory: dir, IdleTimeout: 30 * time.Second, Now: clk.Now}))
	open := func() *OpenResponse {
		res, err := sys.Root.RequestFuture(pid, &Open{}, 3*time.Second).Result()
		if err != nil {
			t.Fatal(err)
		}
		return res.(*OpenResponse)
	}
	if r := open(); !errors.Is(r.Err, playback.ErrNoMedia) {
		t.Fatalf("before tracks: %+v", r)
	}
	sys.Root.Send(pid, &frame.Tracks{Audio: frame.AAC,
		AAC: &mpeg4audio.AudioSpecificConfig{Type: mpeg4audio.ObjectTypeAACLC, SampleRate: 8000, ChannelConfig: 1}})
	r := open()
	if r.Err != nil || r.Muxer == nil {
		t.Fatalf("audio-only open: %+v", r)
	}
	if again := open(); again.Muxer != r.Muxer {
		t.Fatal("a second request got another muxer")
	}
	clk.add(31 * time.Second)
	time.Sleep(2500 * time.Millisecond) // the actor's idle tick runs each second
	if r2 := open(); r2.Muxer == r.Muxer || r2.Muxer == nil {
		t.Fatal("the idle muxer was not closed (and a new one started on the next ask)")
	}
	if dir.LookupHLS("s") == nil {
		t.Fatal("not in the directory")
	}
	sys.Root.StopFuture(pid).Wait()
	if dir.LookupHLS("s") != nil {
		t.Fatal("a stopped actor stays in the directory")
	}
}
