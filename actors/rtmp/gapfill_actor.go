package rtmp

import (
	"bytes"
	"encoding/hex"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/internal/metrics"
	"github.com/sipcast/sipcast/media/blackframe"
	"github.com/sipcast/sipcast/media/frame"
)

// GapChanged tells the parent that the publisher started or stopped filling a track (see
// gapfill.go). The call object shows it for the call's own publisher.
type GapChanged struct {
	ID           string // as StatusChanged's
	Video, Audio bool   // the tracks being filled now
}

// gapTick is the fill timer's self-message; owner tells a stale timer (of a restarted actor
// instance) from the running one.
type gapTick struct{ owner *gapFill }

// gapFill is the actor's side of the filler: the pure decision type, its timer, and what the
// parent was last told.
type gapFill struct {
	gapFiller
	timer      *time.Timer
	stopped    bool
	toldV      bool
	toldA      bool
	gapStarted time.Time
}

// Silent audio frames of the passthrough codecs. G.711: 20 ms of the zero sample's code
// (µ-law 0xFF, A-law 0xD5, ITU-T G.711 tables 1 and 2). Speex: the 20 ms wideband (16 kHz, the
// only rate FLV knows) frame libspeex gives for zeros at its default quality, the one the RTP
// actor sends as comfort silence.
var (
	ulawFill  = bytes.Repeat([]byte{0xFF}, 160)
	alawFill  = bytes.Repeat([]byte{0xD5}, 160)
	speexFill = mustHex("369d1b9a20080168e8e8e8e8e8e8e88400b47474747474747442005a3a3a3a3a3a3a3a21002d1d1d1d1d1d1d1d1b3b60ababababab0ababababab0ababababab0ababababab7")
)

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// startGapFill arms the fill timer, unless the configuration turned filling off.
func (a *Actor) startGapFill() {
	if a.cfg.GapFill < 0 {
		return
	}
	after := a.cfg.GapFill
	if after == 0 {
		after = DefaultGapFill
	}
	a.gap = &gapFill{gapFiller: gapFiller{after: after}}
	a.armGapTick()
}

func (a *Actor) armGapTick() {
	g, root, self := a.gap, a.system.Root, a.self
	g.timer = time.AfterFunc(fillTick, func() { root.Send(self, &gapTick{owner: g}) })
}

func (a *Actor) stopGapFill() {
	if a.gap == nil {
		return
	}
	a.gap.stopped = true
	a.gap.timer.Stop()
}

// handleRealVideo passes a frame of the call's video on, unless a fill holds the track until
// the device's next keyframe.
func (a *Actor) handleRealVideo(ctx actor.Context, f *frame.VideoFrame) {
	if a.gap != nil {
		take, resumed := a.gap.realVideo(f, time.Now())
		if resumed {
			// The device sends again: ask for the keyframe the real picture restarts on.
			ctx.Send(a.parent, &frame.KeyframeNeeded{})
		}
		if !take {
			return
		}
		a.gapReport(ctx)
	}
	a.handleVideo(ctx, f)
}

// handleRealAudio passes a frame of the call's audio on, unless silence already covers it.
func (a *Actor) handleRealAudio(ctx actor.Context, f *frame.AudioFrame) {
	if a.gap != nil {
		take, fill := a.gap.realAudio(f.PTS, time.Now())
		if !take {
			return
		}
		a.writeSilence(fill)
		a.gapReport(ctx)
	}
	a.handleAudio(f)
}

// handleGapTick writes the filler frames due, while the publisher is connected.
func (a *Actor) handleGapTick(ctx actor.Context, m *gapTick) {
	g := a.gap
	if g == nil || m.owner != g || g.stopped {
		return
	}
	a.armGapTick()
	t := a.kept.tracks
	if a.items == nil || t == nil {
		return // not publishing: the GOP cache and reconnect logic own the start
	}
	g.audioStep = fillAudioStep(t)
	g.slate = nil
	if t.Video {
		g.slate = slate
	}
	out := g.tick(time.Now())
	a.writeSilence(out.audio)
	if out.video != nil {
		a.handleVideo(ctx, out.video)
	}
	if d := g.takeFilled(); d > 0 {
		metrics.RTMPFilledMillis.Add(uint64(d / time.Millisecond))
	}
	a.gapReport(ctx)
}

// writeSilence writes silent audio frames at the given positions.
func (a *Actor) writeSilence(at []time.Duration) {
	for _, pts := range at {
		if data := a.silentAudio(); data != nil {
			a.handleAudio(&frame.AudioFrame{PTS: pts, Data: data})
		}
	}
}

// gapRestart is called on a new connection, before the kept GOP is replayed: the filler learns
// of those frames too (they came while it was not looking), and gaps count from now.
func (a *Actor) gapRestart() {
	if a.gap == nil {
		return
	}
	now := time.Now()
	for _, m := range a.gop.frames {
		switch f := m.(type) {
		case *frame.VideoFrame:
			a.gap.realVideo(f, now)
		case *frame.AudioFrame:
			a.gap.realAudio(f.PTS, now)
		}
	}
	a.gap.restart(now)
}

// gapReport tells the parent and the log when the filled tracks change.
func (a *Actor) gapReport(ctx actor.Context) {
	g := a.gap
	v, au := g.filling()
	if v == g.toldV && au == g.toldA {
		return
	}
	switch {
	case !g.toldV && !g.toldA:
		g.gapStarted = time.Now()
		a.log.Info("rtmp gap filled", "video", v, "audio", au)
	case !v && !au:
		a.log.Info("rtmp gap ended: real media again", "filledFor", time.Since(g.gapStarted).Round(time.Millisecond))
	default:
		a.log.Info("rtmp gap changed", "video", v, "audio", au)
	}
	g.toldV, g.toldA = v, au
	ctx.Send(a.parent, &GapChanged{ID: a.cfg.ID, Video: v, Audio: au})
}

// slate is the picture of a video track that never had one: black, 176x144 (media/blackframe),
// consecutive ones with different idr_pic_id as H.264 7.4.3 wants.
func slate(n int) *frame.VideoFrame {
	au := blackframe.H264(n)
	return &frame.VideoFrame{AU: au[2:], Key: true, SPS: au[0], PPS: au[1]}
}

// fillAudioStep is one audio frame of the stream: 1024 samples of AAC, 20 ms of G.711 or Speex.
func fillAudioStep(t *frame.Tracks) time.Duration {
	switch t.Audio {
	case frame.AAC:
		if t.AAC == nil || t.AAC.SampleRate <= 0 {
			return 0
		}
		return time.Duration(aacFrameSamples) * time.Second / time.Duration(t.AAC.SampleRate)
	case frame.PCMU, frame.PCMA, frame.Speex:
		return 20 * time.Millisecond
	}
	return 0
}

// silentAudio is one silent frame in the stream's codec; AAC's comes from the encoder the
// mute feature uses, made once.
func (a *Actor) silentAudio() []byte {
	t := a.kept.tracks
	switch t.Audio {
	case frame.PCMU:
		return ulawFill
	case frame.PCMA:
		return alawFill
	case frame.Speex:
		return speexFill
	case frame.AAC:
		if a.audioFx == nil || a.audioFx.codec != t.Audio {
			fx, err := newAudioFx(t)
			if err != nil {
				a.log.Warn("no AAC silence to fill a gap with", "err", err)
				return nil
			}
			a.audioFx = fx
		}
		return a.audioFx.silence
	}
	return nil
}
