// Package hls serves a call's toStream as Low-Latency HLS (gohlslib): one actor per call, a
// child of the call actor and a subscriber of its stream like an RTMP publisher, fed the H.264 +
// AAC the RTMP path already makes (no second encoder). It holds no muxer until someone asks for
// the stream, starts one then (on the next key frame), and closes it when nobody has asked for
// IdleTimeout, or when the call ends.
package hls

import (
	"errors"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/bluenviron/gohlslib/v2"
	"github.com/bluenviron/gohlslib/v2/pkg/codecs"

	"github.com/sipcast/sipcast/actors/viewer"
	"github.com/sipcast/sipcast/internal/metrics"
	"github.com/sipcast/sipcast/media/frame"
	"github.com/sipcast/sipcast/protocol/playback"
)

// Defaults of Config.
const (
	DefaultIdleTimeout = 30 * time.Second
	// openWait is how long a first request waits for the muxer's first key frame.
	openWait = 8 * time.Second
)

// Config builds an actor.
type Config struct {
	Stream, CallID string
	Directory      *viewer.Directory
	// IdleTimeout closes the muxer when nobody asked for the stream this long. Default 30 s.
	IdleTimeout time.Duration
	Logger      *slog.Logger
	Now         func() time.Time
}

// Open asks for the stream's muxer, started if need be; the answer is an OpenResponse, once
// the muxer has its first key frame (or the stream is audio only).
type Open struct{}

// OpenResponse answers Open.
type OpenResponse struct {
	Muxer *gohlslib.Muxer
	Err   error
}

type idleTick struct{}

// Actor is the HLS actor of one call.
type Actor struct {
	cfg     Config
	log     *slog.Logger
	self    *actor.PID
	root    *actor.RootContext
	tracks  *frame.Tracks
	muxer   *gohlslib.Muxer
	video   *gohlslib.Track
	audio   *gohlslib.Track
	wanted  bool         // someone asked: start the muxer on the next key frame
	waiters []*actor.PID // Open requests waiting for it
	lastAsk time.Time
	stop    chan struct{}
}

// NewProps returns the props of an HLS actor.
func NewProps(cfg Config) *actor.Props {
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return actor.PropsFromProducer(func() actor.Actor { return &Actor{cfg: cfg} })
}

// Receive is the actor's mailbox loop.
func (a *Actor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		a.handleStarted(ctx)
	case *actor.Stopping, *actor.Restarting:
		a.handleStopping()
	case *frame.Tracks:
		a.handleTracks(m)
	case *frame.VideoFrame:
		a.handleVideo(ctx, m)
	case *frame.AudioFrame:
		a.handleAudio(m)
	case *Open:
		a.handleOpen(ctx)
	case *idleTick:
		a.handleIdle()
	}
}

func (a *Actor) handleStarted(ctx actor.Context) {
	a.self, a.root = ctx.Self(), ctx.ActorSystem().Root
	a.log = a.cfg.Logger.With("actor", "hls", "callId", a.cfg.CallID, "stream", a.cfg.Stream)
	if a.cfg.Directory != nil {
		a.cfg.Directory.AddHLS(a.cfg.Stream, a.self)
	}
	a.stop = make(chan struct{})
	root, self, stop := a.root, a.self, a.stop
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				root.Send(self, &idleTick{})
			case <-stop:
				return
			}
		}
	}()
}

func (a *Actor) handleStopping() {
	if a.cfg.Directory != nil && a.self != nil {
		a.cfg.Directory.RemoveHLS(a.cfg.Stream, a.self)
	}
	if a.stop != nil {
		close(a.stop)
		a.stop = nil
	}
	a.closeMuxer("call ended")
}

// handleTracks takes the stream's tracks; a change (a re-INVITE's new codec) restarts the
// muxer, whose init segment no longer fits.
func (a *Actor) handleTracks(m *frame.Tracks) {
	changed := a.tracks != nil && (a.tracks.Video != m.Video || a.tracks.Audio != m.Audio)
	a.tracks = m
	if changed && a.muxer != nil {
		a.closeMuxer("tracks changed")
		a.wanted = true
	}
}

func (a *Actor) handleOpen(ctx actor.Context) {
	a.lastAsk = a.cfg.Now()
	if a.muxer != nil {
		ctx.Respond(&OpenResponse{Muxer: a.muxer})
		return
	}
	if a.tracks == nil || (!a.tracks.Video && a.tracks.Audio != frame.AAC) {
		ctx.Respond(&OpenResponse{Err: errors.Join(playback.ErrNoMedia, errors.New("HLS carries H.264 and AAC; the call has neither yet"))})
		return
	}
	a.wanted = true
	a.waiters = append(a.waiters, ctx.Sender())
	if !a.tracks.Video {
		a.startMuxer(nil)
		return
	}
	// The muxer starts on a key frame: ask for one now (the call sends it to the device, or to
	// the transcoder of a VP8 call) rather than wait for the next.
	ctx.Send(ctx.Parent(), &frame.KeyframeNeeded{})
}

func (a *Actor) handleIdle() {
	now := a.cfg.Now()
	if a.muxer != nil && now.Sub(a.lastAsk) > a.cfg.IdleTimeout {
		a.closeMuxer("nobody watching")
	}
	if a.muxer == nil && len(a.waiters) > 0 && now.Sub(a.lastAsk) > openWait {
		a.answer(&OpenResponse{Err: errors.Join(playback.ErrNoMedia, errors.New("no key frame came"))})
		a.wanted = false
	}
}

func (a *Actor) handleVideo(ctx actor.Context, m *frame.VideoFrame) {
	if a.muxer == nil {
		if !a.wanted || !m.Key || m.SPS == nil || m.PPS == nil {
			return
		}
		a.startMuxer(m)
		if a.muxer == nil {
			return
		}
	}
	if a.video == nil {
		return
	}
	au := m.AU
	if m.Key && m.SPS != nil && m.PPS != nil && !hasSPS(au) {
		au = append([][]byte{m.SPS, m.PPS}, au...)
	}
	if err := a.muxer.WriteH264(a.video, time.Now(), durationToTicks(m.PTS, 90000), au); err != nil {
		metrics.HLSDropped.Inc()
	}
}

func (a *Actor) handleAudio(m *frame.AudioFrame) {
	if a.muxer == nil || a.audio == nil {
		return
	}
	rate := a.audio.ClockRate
	if err := a.muxer.WriteMPEG4Audio(a.audio, time.Now(), durationToTicks(m.PTS, rate), [][]byte{m.Data}); err != nil {
		metrics.HLSDropped.Inc()
	}
}

// startMuxer makes the muxer for the current tracks, with the parameter sets of key (nil for
// audio only).
func (a *Actor) startMuxer(key *frame.VideoFrame) {
	mx := &gohlslib.Muxer{Variant: gohlslib.MuxerVariantLowLatency, SegmentCount: 7,
		SegmentMinDuration: time.Second, PartMinDuration: 200 * time.Millisecond}
	a.video, a.audio = nil, nil
	if key != nil {
		a.video = &gohlslib.Track{Codec: &codecs.H264{SPS: key.SPS, PPS: key.PPS}, ClockRate: 90000}
		mx.Tracks = append(mx.Tracks, a.video)
	}
	if a.tracks.Audio == frame.AAC && a.tracks.AAC != nil {
		a.audio = &gohlslib.Track{Codec: &codecs.MPEG4Audio{Config: *a.tracks.AAC}, ClockRate: a.tracks.AAC.SampleRate}
		mx.Tracks = append(mx.Tracks, a.audio)
	}
	if len(mx.Tracks) == 0 {
		return
	}
	if err := mx.Start(); err != nil {
		a.log.Error("HLS muxer", "err", err)
		a.answer(&OpenResponse{Err: err})
		return
	}
	a.muxer, a.wanted = mx, false
	metrics.HLSMuxers.Add(1)
	a.log.Info("HLS muxer started", "video", a.video != nil, "audio", a.audio != nil)
	a.answer(&OpenResponse{Muxer: mx})
}

func (a *Actor) answer(r *OpenResponse) {
	for _, w := range a.waiters {
		if w != nil {
			a.root.Send(w, r)
		}
	}
	a.waiters = nil
}

func (a *Actor) closeMuxer(why string) {
	if a.muxer == nil {
		return
	}
	a.muxer.Close()
	a.muxer = nil
	metrics.HLSMuxers.Add(-1)
	a.log.Info("HLS muxer closed", "why", why)
}

func durationToTicks(d time.Duration, rate int) int64 {
	return int64(d) * int64(rate) / int64(time.Second)
}

// hasSPS reports whether an access unit carries its own SPS.
func hasSPS(au [][]byte) bool {
	for _, n := range au {
		if len(n) > 0 && n[0]&0x1f == 7 {
			return true
		}
	}
	return false
}
