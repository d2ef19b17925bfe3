package transcoder

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/actors/rtp"
	"github.com/sipcast/sipcast/media/frame"
)

// The transcoder driven by its messages, with the test inputs of media/transcode; a probe actor
// stands for the publishers, the RTP actor and the call.

var testdata = filepath.Join("..", "..", "media", "transcode", "testdata")

func ivfFrames(t *testing.T, name string) []frame.EncodedVideo {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testdata, name))
	if err != nil {
		t.Fatal(err)
	}
	var out []frame.EncodedVideo
	for b = b[32:]; len(b) >= 12; {
		n := int(binary.LittleEndian.Uint32(b))
		f := b[12 : 12+n]
		out = append(out, frame.EncodedVideo{PTS: time.Duration(len(out)) * 40 * time.Millisecond, Data: f, Key: f[0]&1 == 0})
		b = b[12+n:]
	}
	return out
}

type probe struct {
	pid *actor.PID
	got chan any
}

func newProbe(system *actor.ActorSystem) *probe {
	p := &probe{got: make(chan any, 1024)}
	p.pid = system.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		switch m := ctx.Message().(type) {
		case *frame.VideoFrame, *frame.AudioFrame, *frame.DeviceKeyframe, *frame.VideoFormat:
			p.got <- m
		}
	}))
	return p
}

func (p *probe) take(n int, within time.Duration) []any {
	var out []any
	deadline := time.After(within)
	for len(out) < n {
		select {
		case m := <-p.got:
			out = append(out, m)
		case <-deadline:
			return out
		}
	}
	return out
}

// parent spawns the transcoder under a parent that restarts its children, as the call does.
func spawnUnderParent(system *actor.ActorSystem, props *actor.Props, formats *probe) *actor.PID {
	pids := make(chan *actor.PID, 1)
	strategy := actor.NewOneForOneStrategy(3, 30*time.Second, func(any) actor.Directive { return actor.RestartDirective })
	system.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		switch m := ctx.Message().(type) {
		case *actor.Started:
			pids <- ctx.Spawn(props)
		case *frame.VideoFormat:
			formats.got <- m
		}
	}, actor.WithSupervisor(strategy)))
	return <-pids
}

func TestVideoTranscoderActor(t *testing.T) {
	system := actor.NewActorSystem()
	defer system.Shutdown()
	out, source := newProbe(system), newProbe(system)
	pid := spawnUnderParent(system, NewProps(Config{CallID: "t", Codec: "VP8", ClockRate: 90000, Source: source.pid}), out)
	if got := source.take(1, 2*time.Second); len(got) != 1 {
		t.Fatal("a new transcoder did not ask the device for a key frame")
	}
	system.Root.Send(pid, &rtp.Subscribe{Subscribers: []*actor.PID{out.pid}})
	frames := ivfFrames(t, "vp8-160x120.ivf")
	for i := range frames[:20] {
		system.Root.Send(pid, &frames[i])
	}
	got := out.take(20, 5*time.Second) // 19 pictures out (one held by x264) and the format
	var video []*frame.VideoFrame
	sawFormat := false
	for _, m := range got {
		switch m := m.(type) {
		case *frame.VideoFrame:
			video = append(video, m)
		case *frame.VideoFormat:
			sawFormat = m.Width == 160 && m.Height == 120
		}
	}
	if len(video) != 19 || !video[0].Key || video[0].SPS == nil || video[0].PPS == nil || !sawFormat {
		t.Fatalf("%d frames, first key %v, format seen %v", len(video), len(video) > 0 && video[0].Key, sawFormat)
	}

	// A crash: the supervisor restarts it, it asks for a key frame, the stream resumes on one.
	system.Root.Send(pid, &ForcePanic{})
	if got := source.take(1, 2*time.Second); len(got) != 1 {
		t.Fatal("the restarted transcoder did not ask for a key frame")
	}
	for i := 20; i < 25; i++ {
		system.Root.Send(pid, &frames[i]) // inter frames: nothing to decode them against
	}
	for i := 25; i < 35; i++ { // frame 25 is a key frame
		f := frames[i]
		f.PTS += 2 * time.Second
		system.Root.Send(pid, &f)
	}
	resumed := videoOnly(out.take(10, 5*time.Second)) // 9 pictures and the format, told again
	if len(resumed) != 9 {
		t.Fatalf("%d frames after the restart, want 9", len(resumed))
	}
	if f := resumed[0]; !f.Key || f.PTS != 3*time.Second {
		t.Fatalf("resumed on key %v at %v", f.Key, f.PTS)
	}

	// A publisher asking for a key frame gets an IDR from the encoder, not from the device.
	system.Root.Send(pid, &frame.KeyframeNeeded{})
	for i := 35; i < 37; i++ {
		f := frames[i]
		f.PTS += 2 * time.Second
		system.Root.Send(pid, &f)
	}
	if got := videoOnly(out.take(2, 5*time.Second)); len(got) != 2 || !got[1].Key {
		t.Fatal("KeyframeNeeded did not make an IDR")
	}
}

func TestAudioTranscoderActor(t *testing.T) {
	system := actor.NewActorSystem()
	defer system.Shutdown()
	out := newProbe(system)
	pid := system.Root.Spawn(NewProps(Config{CallID: "t", Codec: "SPEEX", ClockRate: 8000, AACRate: 16000}))
	system.Root.Send(pid, &rtp.Subscribe{Subscribers: []*actor.PID{out.pid}})
	// Narrowband frames of silence-ish Speex: mode 3, 160 bits, as libspeex packs them.
	payload := make([]byte, 20)
	payload[0] = 0x18    // wideband bit 0, mode 3
	for i := range 100 { // 2 s, a 200 ms hole after 1 s
		if i >= 50 && i < 60 {
			continue
		}
		system.Root.Send(pid, &frame.EncodedAudio{PTS: time.Duration(i) * 20 * time.Millisecond, Frames: [][]byte{payload}, Samples: 160})
	}
	got := out.take(30, 5*time.Second)
	if len(got) < 29 {
		t.Fatalf("%d AAC frames from 2 s at 16 kHz", len(got))
	}
	step := 1024 * time.Second / 16000
	for i := 1; i < len(got); i++ {
		if d := got[i].(*frame.AudioFrame).PTS - got[i-1].(*frame.AudioFrame).PTS; d != step {
			t.Fatalf("frame %d: step %v, want %v (the hole filled)", i, d, step)
		}
	}
}

func TestNeededAndAudioConfig(t *testing.T) {
	for codec, want := range map[string]bool{"VP8": true, "OPUS": true, "SPEEX": true, "H264": false, "PCMU": false} {
		if Needed(codec) != want {
			t.Errorf("Needed(%s)", codec)
		}
	}
	if c := AudioConfig(48000, 0); c.SampleRate != 48000 || c.ChannelCount != 1 {
		t.Errorf("%+v", c)
	}
	if c := AudioConfig(16000, 44100); c.SampleRate != 44100 {
		t.Errorf("%+v", c)
	}
}

func videoOnly(ms []any) []*frame.VideoFrame {
	var out []*frame.VideoFrame
	for _, m := range ms {
		if f, ok := m.(*frame.VideoFrame); ok {
			out = append(out, f)
		}
	}
	return out
}
