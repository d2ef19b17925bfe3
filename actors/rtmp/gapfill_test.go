package rtmp

import (
	"testing"
	"time"

	"github.com/sipcast/sipcast/media/frame"
)

const ms = time.Millisecond

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

func key(pts time.Duration) *frame.VideoFrame {
	return &frame.VideoFrame{PTS: pts, Key: true, AU: [][]byte{{0x65, 1}}, SPS: []byte{0x67}, PPS: []byte{0x68}}
}

func inter(pts time.Duration) *frame.VideoFrame {
	return &frame.VideoFrame{PTS: pts, AU: [][]byte{{0x41, 1}}, SPS: []byte{0x67}, PPS: []byte{0x68}}
}

func newFiller() *gapFiller { return &gapFiller{after: DefaultGapFill, audioStep: 20 * ms} }

func TestGapFillerNoGapWhileMediaFlows(t *testing.T) {
	g := newFiller()
	g.realVideo(key(0), at(0))
	for i := time.Duration(0); i < 50; i++ {
		now := at(i * 20 * ms)
		if take, _ := g.realAudio(i*20*ms, now); !take {
			t.Fatalf("real audio %d dropped", i)
		}
		if i%2 == 0 {
			if take, _ := g.realVideo(inter(i*20*ms), now); !take {
				t.Fatalf("real video %d dropped", i)
			}
		}
		if out := g.tick(now); out.video != nil || len(out.audio) > 0 {
			t.Fatalf("tick at %v filled %+v with media flowing", i*20*ms, out)
		}
	}
	if v, a := g.filling(); v || a {
		t.Fatalf("filling %v %v", v, a)
	}
}

func TestGapFillerAudioBackfillsAndRealMediaTakesOver(t *testing.T) {
	g := newFiller()
	g.realAudio(time.Second, at(0))
	if out := g.tick(at(499 * ms)); len(out.audio) != 0 {
		t.Fatalf("filled before the threshold: %v", out.audio)
	}
	out := g.tick(at(500 * ms))
	// From the frame after the last real one up to where the timeline stands: 1.02 s … 1.5 s.
	if len(out.audio) != 25 || out.audio[0] != 1020*ms || out.audio[24] != 1500*ms {
		t.Fatalf("first fill = %d frames %v", len(out.audio), out.audio)
	}
	out = g.tick(at(600 * ms))
	if len(out.audio) != 5 || out.audio[0] != 1520*ms || out.audio[4] != 1600*ms {
		t.Fatalf("second fill = %v", out.audio)
	}
	if _, a := g.filling(); !a {
		t.Fatal("audio not reported as filled")
	}
	// A real frame the silence already covers (the jitter buffer's lag) is dropped…
	if take, _ := g.realAudio(1580*ms, at(610*ms)); take {
		t.Fatal("real frame under the silence taken")
	}
	// …the next one in line takes over, and filling stops.
	if take, fill := g.realAudio(1620*ms, at(620*ms)); !take || len(fill) != 0 {
		t.Fatalf("real frame after the silence: take %v, fill %v", take, fill)
	}
	if _, a := g.filling(); a {
		t.Fatal("still filling after real audio")
	}
	if out := g.tick(at(700 * ms)); len(out.audio) != 0 {
		t.Fatalf("filled with media flowing: %v", out.audio)
	}
}

func TestGapFillerVideoRepeatsKeyframeUntilRealKeyframe(t *testing.T) {
	g := newFiller()
	k := key(0)
	g.realVideo(k, at(0))
	g.realVideo(inter(40*ms), at(40*ms))
	out := g.tick(at(540 * ms))
	if out.video == nil || out.video.PTS != 540*ms || !out.video.Key || &out.video.AU[0][0] != &k.AU[0][0] {
		t.Fatalf("first fill picture = %+v", out.video)
	}
	if out := g.tick(at(1100 * ms)); out.video != nil {
		t.Fatalf("picture before a second passed: %+v", out.video)
	}
	var pts []time.Duration
	for d := 1200 * ms; d <= 3600*ms; d += 100 * ms {
		if out := g.tick(at(d)); out.video != nil {
			pts = append(pts, out.video.PTS)
		}
	}
	want := []time.Duration{1540 * ms, 2540 * ms, 3540 * ms}
	if len(pts) != len(want) || pts[0] != want[0] || pts[1] != want[1] || pts[2] != want[2] {
		t.Fatalf("fill pictures at %v, want %v", pts, want)
	}
	// The device sends again: inter frames wait for a keyframe; the first asks for one.
	take, resumed := g.realVideo(inter(3700*ms), at(3700*ms))
	if take || !resumed {
		t.Fatalf("first inter frame after the gap: take %v resumed %v", take, resumed)
	}
	if take, resumed := g.realVideo(inter(3740*ms), at(3740*ms)); take || resumed {
		t.Fatalf("second inter frame: take %v resumed %v", take, resumed)
	}
	// Meanwhile the fill's pictures come every 200 ms, so the keyframe joins them closely.
	if out := g.tick(at(3740 * ms)); out.video == nil || out.video.PTS != 3740*ms {
		t.Fatalf("fill picture while the keyframe is awaited: %+v", out.video)
	}
	if out := g.tick(at(3840 * ms)); out.video != nil {
		t.Fatalf("fill picture 100 ms after the last: %+v", out.video)
	}
	if out := g.tick(at(3940 * ms)); out.video == nil || out.video.PTS != 3940*ms {
		t.Fatalf("fill picture 200 ms after the last: %+v", out.video)
	}
	if take, _ := g.realVideo(key(3980*ms), at(3980*ms)); !take {
		t.Fatal("real keyframe dropped")
	}
	if v, _ := g.filling(); v {
		t.Fatal("still filling after the real keyframe")
	}
	if take, _ := g.realVideo(inter(4020*ms), at(4020*ms)); !take {
		t.Fatal("inter frame after the keyframe dropped")
	}
}

// Real audio that resumes ahead of the fill (less delay than before the gap, or between two
// ticks) gets the hole up to it filled at once: the track never skips.
func TestGapFillerAudioResumingAheadIsJoined(t *testing.T) {
	g := newFiller()
	g.realAudio(time.Second, at(0))
	out := g.tick(at(600 * ms)) // fills 1.02 … 1.6 s
	if last := out.audio[len(out.audio)-1]; last != 1600*ms {
		t.Fatalf("fill ends at %v", last)
	}
	take, fill := g.realAudio(1700*ms, at(650*ms))
	if !take || len(fill) != 4 || fill[0] != 1620*ms || fill[3] != 1680*ms {
		t.Fatalf("take %v, fill %v: want 1.62 … 1.68 s", take, fill)
	}
	if _, a := g.filling(); a {
		t.Fatal("still filling")
	}
}

func TestGapFillerNothingToRepeatBeforeAKeyframe(t *testing.T) {
	g := newFiller()
	g.realVideo(inter(0), at(0))
	if out := g.tick(at(2 * time.Second)); out.video != nil {
		t.Fatalf("filled without a keyframe: %+v", out.video)
	}
}

// A video track that never had a picture shows the slate once audio flows, on the audio's
// timeline, until the device's first keyframe.
func TestGapFillerSlateUntilFirstKeyframe(t *testing.T) {
	g := newFiller()
	g.slate = slate
	g.restart(at(-1500 * ms)) // publishing starts; the slate waits slateAfter for a keyframe
	for d := -1500 * ms; d < 500*ms; d += 20 * ms {
		g.realAudio(2*time.Second+d, at(d))
		if d < 480*ms {
			if out := g.tick(at(d)); out.video != nil {
				t.Fatalf("slate %v after publishing started", d+1500*ms)
			}
		}
	}
	out := g.tick(at(500 * ms))
	if out.video == nil || !out.video.Key || out.video.PTS != 2500*ms || out.video.SPS == nil {
		t.Fatalf("slate %+v", out.video)
	}
	first := out.video.AU[0]
	g.realAudio(2500*ms, at(500*ms))
	if out := g.tick(at(1500 * ms)); out.video == nil || out.video.PTS != 3500*ms || &out.video.AU[0][0] == &first[0] {
		t.Fatalf("second slate %+v: want a second later, the other idr_pic_id", out.video)
	}
	if take, _ := g.realVideo(inter(3600*ms), at(1600*ms)); take {
		t.Fatal("an inter frame replaced the slate")
	}
	// Inter frames cannot replace it; the keyframe asked for comes soon, so the slate steps
	// 200 ms from now on and the keyframe joins it closely.
	if out := g.tick(at(1700 * ms)); out.video == nil || out.video.PTS != 3700*ms {
		t.Fatalf("no slate while only inter frames come: %+v", out.video)
	}
	if take, _ := g.realVideo(key(3800*ms), at(1800*ms)); !take {
		t.Fatal("the first keyframe did not replace the slate")
	}
	if v, _ := g.filling(); v {
		t.Fatal("still filling")
	}
}

func TestGapFillerNeverFillsAnUnseenTrack(t *testing.T) {
	g := newFiller()
	if out := g.tick(at(10 * time.Second)); out.video != nil || len(out.audio) > 0 {
		t.Fatalf("filled a call that never sent: %+v", out)
	}
	g.realVideo(key(0), at(0)) // video only: audio is not made up
	if out := g.tick(at(time.Second)); len(out.audio) > 0 || out.video == nil {
		t.Fatalf("video-only gap filled as %+v", out)
	}
}

func TestGapFillerLateTickBurstIsBounded(t *testing.T) {
	g := newFiller()
	g.realAudio(0, at(0))
	out := g.tick(at(30 * time.Second))
	if n := len(out.audio); n > int(maxFillBurst/(20*ms))+1 {
		t.Fatalf("%d frames in one burst", n)
	}
	if last := out.audio[len(out.audio)-1]; last != 30*time.Second {
		t.Fatalf("burst ends at %v, want the present", last)
	}
	for i := 1; i < len(out.audio); i++ {
		if out.audio[i] <= out.audio[i-1] {
			t.Fatalf("positions not increasing: %v", out.audio[i-1:i+1])
		}
	}
}

func TestGapFillerCountsFilledTime(t *testing.T) {
	g := newFiller()
	g.realAudio(0, at(0))
	for d := 500 * ms; d <= 2500*ms; d += 100 * ms {
		g.tick(at(d))
	}
	if got := g.takeFilled(); got != 2*time.Second {
		t.Fatalf("filled %v, want 2s", got)
	}
	if got := g.takeFilled(); got != 0 {
		t.Fatalf("counted twice: %v", got)
	}
}

func TestGapFillerRestartCountsFromReconnect(t *testing.T) {
	g := newFiller()
	g.realAudio(time.Second, at(0))
	g.restart(at(5 * time.Second)) // a reconnect 5 s later
	if out := g.tick(at(5200 * ms)); len(out.audio) > 0 {
		t.Fatalf("filled at once after a reconnect: %v", out.audio)
	}
	out := g.tick(at(5500 * ms))
	if len(out.audio) == 0 || out.audio[0] <= 6*time.Second {
		t.Fatalf("fill after the reconnect starts at %v, want after 6 s", out.audio)
	}
}

// BenchmarkGapFillTick is the filler's own cost per tick of a filled call (audio and video):
// the CPU a gap costs beyond writing the frames.
func BenchmarkGapFillTick(b *testing.B) {
	g := newFiller()
	g.realVideo(key(0), at(0))
	g.realAudio(0, at(0))
	now := at(time.Second)
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(fillTick)
		g.tick(now)
	}
}
