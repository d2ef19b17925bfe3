package viewer

import (
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/actors/rtp"
	"github.com/sipcast/sipcast/media/frame"
	"github.com/sipcast/sipcast/protocol/playback"
)

func pkt(video, key bool) Packet {
	return Packet{Video: video, Key: key, RTP: &pionrtp.Packet{Payload: []byte{1, 2, 3}}}
}

// A full queue drops video up to the next key frame and resumes there; audio is dropped singly.
func TestSinkDropsWholeGOPs(t *testing.T) {
	s := NewSink("v", 2)
	if s.offer(pkt(true, true)) || s.offer(pkt(true, false)) {
		t.Fatal("room for two")
	}
	if !s.offer(pkt(true, false)) {
		t.Fatal("a full queue must report lost video")
	}
	<-s.q
	<-s.q
	if s.offer(pkt(true, false)) || len(s.q) != 0 {
		t.Fatal("inter frames after a loss must wait for a key frame")
	}
	if s.offer(pkt(false, false)); len(s.q) != 1 {
		t.Fatal("audio goes on while video waits")
	}
	if s.offer(pkt(true, true)); len(s.q) != 2 {
		t.Fatal("a key frame resumes video")
	}
	if got := s.Dropped.Load(); got != 2 {
		t.Fatalf("dropped %d, want 2", got)
	}
}

// A new viewer starts on a key frame, and its waiting is not counted as a drop.
func TestSinkStartsOnKey(t *testing.T) {
	s := NewSink("v", 8)
	s.startOnKey()
	s.offer(pkt(true, false))
	s.offer(pkt(true, true))
	s.offer(pkt(true, false))
	if len(s.q) != 2 || s.Dropped.Load() != 0 {
		t.Fatalf("queued %d, dropped %d", len(s.q), s.Dropped.Load())
	}
}

// One viewer that never reads does not hold back another: the hub never waits on a queue.
func TestHubSlowViewerDoesNotSlowOthers(t *testing.T) {
	sys := actor.NewActorSystem()
	dir := NewDirectory()
	pid := sys.Root.Spawn(NewProps(Config{Stream: "s", Directory: dir, MaxViewers: 2}))
	defer sys.Root.Stop(pid)
	line := sys.Root.Spawn(actor.PropsFromFunc(func(actor.Context) {}))
	sys.Root.Send(pid, &rtp.Source{Video: true, Codec: "H264", ClockRate: 90000, Line: line})
	slow, fast := NewSink("slow", 4), NewSink("fast", 4096)
	for _, s := range []*Sink{slow, fast} {
		res, err := sys.Root.RequestFuture(pid, &AddViewer{Sink: s}, time.Second).Result()
		if err != nil || res.(*AddViewerResponse).Err != nil {
			t.Fatalf("add: %v %v", res, err)
		}
	}
	res, _ := sys.Root.RequestFuture(pid, &AddViewer{Sink: NewSink("third", 4)}, time.Second).Result()
	if res.(*AddViewerResponse).Err != playback.ErrTooManyViewers {
		t.Fatalf("third viewer past MaxViewers: %v", res)
	}
	nal := make([]byte, 3000) // three packets a frame
	nal[0] = 0x65
	for i := 0; i < 300; i++ {
		key := i%30 == 0
		au := [][]byte{{0x41, 1}}
		if key {
			au = [][]byte{nal}
		}
		sys.Root.Send(pid, &frame.VideoFrame{PTS: time.Duration(i) * 40 * time.Millisecond, AU: au, Key: key,
			SPS: []byte{0x67, 0x42, 0xc0, 0x1e}, PPS: []byte{0x68, 0xce}})
	}
	// A video-only call: the description waits linesGrace for an audio line, then answers.
	d, _ := sys.Root.RequestFuture(pid, &Describe{}, 3*time.Second).Result()
	if d.(*Description).Viewers != 2 || d.(*Description).Video == nil {
		t.Fatalf("description %+v", d)
	}
	if n := len(fast.q); n < 300 {
		t.Fatalf("fast viewer got %d packets", n)
	}
	if slow.Dropped.Load() == 0 || len(slow.q) != 4 {
		t.Fatalf("slow viewer: %d queued, %d dropped", len(slow.q), slow.Dropped.Load())
	}
	if fast.Dropped.Load() != 0 {
		t.Fatalf("fast viewer dropped %d", fast.Dropped.Load())
	}
	// Sequence numbers of the stream only count up; timestamps follow the PTS.
	var prev *pionrtp.Packet
	for len(fast.q) > 0 {
		p := <-fast.q
		if prev != nil && (p.RTP.SequenceNumber != prev.SequenceNumber+1 || int32(p.RTP.Timestamp-prev.Timestamp) < 0) {
			t.Fatalf("seq %d → %d, ts %d → %d", prev.SequenceNumber, p.RTP.SequenceNumber, prev.Timestamp, p.RTP.Timestamp)
		}
		prev = p.RTP
	}
	sys.Root.StopFuture(pid).Wait()
	if _, ok := <-slow.q; ok {
		for range slow.q {
		}
	}
	if dir.Lookup("s") != nil {
		t.Fatal("a stopped hub stays in the directory")
	}
}
