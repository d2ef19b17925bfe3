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
	s.start()
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

// A new viewer starts on a key frame once connected, and its waiting is not counted as a drop.
func TestSinkStartsOnKey(t *testing.T) {
	s := NewSink("v", 8)
	s.offer(pkt(true, true))
	s.offer(pkt(false, false))
	if len(s.q) != 0 {
		t.Fatal("packets queued before the viewer connected")
	}
	s.start()
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
		sys.Root.Send(pid, &ViewerConnected{ID: s.ID})
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

// With nobody watching, the hub packetises nothing; the first viewer starts at a key frame,
// with the parameter sets in front.
func TestHubIdleWithoutViewers(t *testing.T) {
	h := newTestHub()
	h.handleSource(nil, &rtp.Source{Video: true, Codec: "H264", ClockRate: 90000})
	h.handleSource(nil, &rtp.Source{Codec: "PCMU", ClockRate: 8000})
	sps, pps := []byte{0x67, 0x42, 0xc0, 0x1e}, []byte{0x68, 0xce}
	key := &frame.VideoFrame{AU: [][]byte{{0x65, 1}}, Key: true, SPS: sps, PPS: pps}
	inter := &frame.VideoFrame{PTS: 40 * time.Millisecond, AU: [][]byte{{0x41, 1}}, SPS: sps, PPS: pps}
	h.handleH264(nil, key)
	h.handleH264(nil, inter)
	h.handleAudio(nil, &frame.RawAudio{Data: []byte{1, 2}})
	if h.video.started || h.audio.started || h.video.seq != 2 || h.audio.seq != 1 {
		t.Fatalf("media packetised with no viewer: video seq %d, audio seq %d", h.video.seq, h.audio.seq)
	}
	if d := h.describe(); d.Video == nil || string(d.Video.SPS) != string(sps) {
		t.Fatalf("the in-band SPS is not described: %+v", d.Video)
	}
	s := NewSink("v", 64)
	watch(h, s, true)
	inter.PTS = 80 * time.Millisecond
	h.handleH264(nil, inter)
	key.PTS = 120 * time.Millisecond
	h.handleH264(nil, key)
	got := <-s.q
	if !got.Key || got.RTP.Payload[0]&0x1f != 24 {
		t.Fatalf("the first packet is not the key frame's STAP-A: %+v", got)
	}
}

// The device is asked for a key frame when a viewer's connection comes up, not when it joined:
// one sent before would be lost on the way to a browser that cannot take it yet. A second viewer
// connecting within the rate limit gets its request too, when the limit ends.
func TestHubAsksForKeyWhenViewerConnects(t *testing.T) {
	const interval = 300 * time.Millisecond
	sys := actor.NewActorSystem()
	pid := sys.Root.Spawn(NewProps(Config{Stream: "s", KeyframeInterval: interval}))
	defer sys.Root.Stop(pid)
	asked := make(chan time.Time, 8)
	line := sys.Root.Spawn(actor.PropsFromFunc(func(c actor.Context) {
		if _, ok := c.Message().(*frame.DeviceKeyframe); ok {
			asked <- time.Now()
		}
	}))
	sys.Root.Send(pid, &rtp.Source{Video: true, Codec: "H264", ClockRate: 90000, Line: line})
	for _, id := range []string{"v", "w"} {
		if _, err := sys.Root.RequestFuture(pid, &AddViewer{Sink: NewSink(id, 8)}, time.Second).Result(); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-asked:
		t.Fatal("a key frame asked for before a viewer connected")
	case <-time.After(100 * time.Millisecond):
	}
	wait := func(what string) time.Time {
		select {
		case at := <-asked:
			return at
		case <-time.After(2 * time.Second):
			t.Fatalf("no key frame asked for %s", what)
			return time.Time{}
		}
	}
	sys.Root.Send(pid, &ViewerConnected{ID: "v"})
	first := wait("when the first viewer connected")
	sys.Root.Send(pid, &ViewerConnected{ID: "w"})
	sys.Root.Send(pid, &KeyframeWanted{}) // and a browser's PLI meanwhile: one request for both
	if gap := wait("for the second viewer").Sub(first); gap < interval-50*time.Millisecond {
		t.Fatalf("second request %v after the first, within the %v limit", gap, interval)
	}
	select {
	case <-asked:
		t.Fatal("more than one request for the viewer and the PLI held back together")
	case <-time.After(2 * interval):
	}
}
