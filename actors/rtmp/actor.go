// Package rtmp is the RTMP publisher actor: one per RTMP target of a call, a child of the call
// actor. It connects and publishes with bluenviron/gortmplib in a goroutine it owns (connect
// honours a timeout, so a silent server cannot hang it), reports RTMP_STREAM_ACTIVE only once the
// server accepted the publish, then hands frames to a writer goroutine through a bounded queue. It
// starts on a keyframe with the sequence headers in front, and puts every frame on one timeline
// that starts at 0 and never goes backwards.
package rtmp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/bluenviron/gortmplib"

	"github.com/sipcast/sipcast/actors/stream"
	"github.com/sipcast/sipcast/media/clock"
	"github.com/sipcast/sipcast/protocol/callapi"
	"github.com/sipcast/sipcast/protocol/rtmpurl"
)

// Config builds a publisher.
type Config struct {
	CallID string
	Target rtmpurl.Target
	// ConnectTimeout bounds TCP connect + handshake + connect/publish commands. Default 10 s.
	ConnectTimeout time.Duration
	// WriteTimeout bounds one write: a stalled server otherwise blocks for ever. Default 2 s.
	WriteTimeout time.Duration
	Logger       *slog.Logger
}

// Actor is the publisher.
type Actor struct {
	cfg      Config
	log      *slog.Logger
	self     *actor.PID
	parent   *actor.PID
	system   *actor.ActorSystem
	behavior actor.Behavior

	cancelConnect context.CancelFunc
	connectDone   chan struct{}
	// connResult hands the connected client from the connect goroutine to the actor; a client
	// left in it when the actor stops is closed there, so none leaks.
	connResult chan *gortmplib.Client
	items      chan item
	writerDone chan struct{}

	tracks     *stream.Tracks
	keptTracks **stream.Tracks // shared by the incarnations of this publisher
	written    *trackInit      // what the writer was last initialised with
	started    bool            // the first frame went out: later frames follow on the same timeline
	waitingKey bool
	offset     time.Duration
	videoDTS   clock.Monotonic
	audioDTS   clock.Monotonic
	dropped    int
}

// NewProps returns the props of a publisher.
func NewProps(cfg Config) *actor.Props {
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = 2 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	// The tracks survive a restart: the call sends them once, when the answer arrives.
	tracks := new(*stream.Tracks)
	return actor.PropsFromProducer(func() actor.Actor {
		a := &Actor{cfg: cfg, behavior: actor.NewBehavior(), keptTracks: tracks}
		a.tracks = *tracks
		a.behavior.Become(a.connecting)
		return a
	})
}

// Receive delegates to the current state: connecting, active or ended.
func (a *Actor) Receive(ctx actor.Context) { a.behavior.Receive(ctx) }

// lifecycle handles the messages every state treats alike; it reports whether it handled one.
func (a *Actor) lifecycle(ctx actor.Context) bool {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		a.handleStarted(ctx)
	case *actor.Stopping, *actor.Restarting:
		a.shutdown()
		a.log.Info("actor stopping", "reason", fmt.Sprintf("%T", m), "dropped", a.dropped)
	case *actor.Stopped:
		a.log.Info("actor stopped")
	case *stream.Tracks:
		a.tracks, *a.keptTracks = m, m
	case *ForcePanic:
		panic("rtmp: forced panic for fault-injection test")
	default:
		return false
	}
	return true
}

// connecting: dialling and publishing; frames are dropped (nothing to write them to yet).
func (a *Actor) connecting(ctx actor.Context) {
	if a.lifecycle(ctx) {
		return
	}
	switch m := ctx.Message().(type) {
	case *connected:
		a.handleConnected(ctx, m)
	case *connectFailed:
		a.fail(ctx, callapi.RTMPConnectionFailed, classify(m.err))
	}
}

// active: publishing; frames go to the writer.
func (a *Actor) active(ctx actor.Context) {
	if a.lifecycle(ctx) {
		return
	}
	switch m := ctx.Message().(type) {
	case *stream.VideoFrame:
		a.handleVideo(ctx, m)
	case *stream.AudioFrame:
		a.handleAudio(m)
	case *writeFailed:
		a.fail(ctx, callapi.RTMPConnectionLost, m.err.Error())
	}
}

// ended: failed or lost; the publisher waits for its parent to stop it.
func (a *Actor) ended(ctx actor.Context) {
	a.lifecycle(ctx)
}

func (a *Actor) handleStarted(ctx actor.Context) {
	a.self, a.parent, a.system = ctx.Self(), ctx.Parent(), ctx.ActorSystem()
	a.log = a.cfg.Logger.With("actor", "rtmp", "callId", a.cfg.CallID, "target", a.cfg.Target.Redacted())
	a.log.Info("actor started")
	a.behavior.Become(a.connecting)
	a.status(ctx, callapi.RTMPStreamWait, "")
	cctx, cancel := context.WithTimeout(context.Background(), a.cfg.ConnectTimeout)
	a.cancelConnect = cancel
	a.connectDone = make(chan struct{})
	a.connResult = make(chan *gortmplib.Client, 1)
	go a.connect(cctx, a.connectDone)
}

func (a *Actor) connect(ctx context.Context, done chan<- struct{}) {
	defer close(done)
	defer a.recoverGoroutine("connect")
	c := &gortmplib.Client{URL: a.cfg.Target.ClientURL(), Publish: true}
	if err := c.Initialize(ctx); err != nil {
		if ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			err = fmt.Errorf("%w after %s: %v", ErrConnectTimeout, a.cfg.ConnectTimeout, err)
		}
		a.system.Root.Send(a.self, &connectFailed{err: err})
		return
	}
	a.connResult <- c
	a.system.Root.Send(a.self, &connected{})
}

func (a *Actor) handleConnected(ctx actor.Context, _ *connected) {
	var client *gortmplib.Client
	select {
	case client = <-a.connResult:
	default:
		return
	}
	a.cancelConnect()
	<-a.connectDone
	a.cancelConnect = nil
	a.items = make(chan item, queueLen)
	a.writerDone = make(chan struct{})
	go a.writerLoop(client, a.items, a.writerDone)
	a.behavior.Become(a.active)
	a.waitingKey = true
	a.log.Info("publish accepted")
	a.status(ctx, callapi.RTMPStreamActive, "")
	// The first keyframe may have gone by while we connected: ask for a fresh one.
	ctx.Send(a.parent, &stream.KeyframeNeeded{})
}

func (a *Actor) handleVideo(ctx actor.Context, f *stream.VideoFrame) {
	if a.tracks == nil || !a.tracks.Video {
		return
	}
	if a.waitingKey {
		if !f.Key || f.SPS == nil || f.PPS == nil {
			return
		}
		a.waitingKey = false
	}
	if f.Key && (a.written == nil || !equal(a.written.sps, f.SPS) || !equal(a.written.pps, f.PPS)) {
		// New parameter sets need new sequence headers, which gortmplib sends only on Initialize.
		if !a.enqueue(ctx, item{init: &trackInit{sps: f.SPS, pps: f.PPS, aac: a.tracks.AAC}}) {
			return
		}
		a.written = &trackInit{sps: f.SPS, pps: f.PPS, aac: a.tracks.AAC}
	}
	a.begin(f.PTS)
	a.enqueue(ctx, item{video: f.AU, pts: a.videoDTS.Next(f.PTS - a.offset)})
}

func (a *Actor) handleAudio(f *stream.AudioFrame) {
	if a.tracks == nil || a.tracks.AAC == nil {
		return
	}
	if !a.started {
		if a.tracks.Video {
			return // video leads: audio joins once the first keyframe went out
		}
		if !a.enqueue(nil, item{init: &trackInit{aac: a.tracks.AAC}}) {
			return
		}
		a.written = &trackInit{aac: a.tracks.AAC}
		a.begin(f.PTS)
	}
	if f.PTS < a.offset {
		return
	}
	a.enqueue(nil, item{audio: f.Data, pts: a.audioDTS.Next(f.PTS - a.offset)})
}

// begin fixes the timeline offset at the first written frame, so the RTMP stream starts at 0.
func (a *Actor) begin(pts time.Duration) {
	if !a.started {
		a.started, a.offset = true, pts
	}
}

// enqueue hands an item to the writer without ever blocking the mailbox. On a full queue the
// frame is dropped and video restarts at the next keyframe, so the picture never shows the hole.
func (a *Actor) enqueue(ctx actor.Context, it item) bool {
	select {
	case a.items <- it:
		return true
	default:
		a.dropped++
		if !a.waitingKey && a.tracks != nil && a.tracks.Video {
			a.waitingKey = true
			if ctx != nil {
				ctx.Send(a.parent, &stream.KeyframeNeeded{})
			}
		}
		if a.dropped == 1 || a.dropped%1000 == 0 {
			a.log.Warn("frames dropped", "err", ErrQueueFull, "dropped", a.dropped)
		}
		return false
	}
}

func (a *Actor) fail(ctx actor.Context, status, reason string) {
	a.log.Warn("rtmp publisher ended", "status", status, "reason", reason)
	a.shutdown()
	a.behavior.Become(a.ended)
	a.status(ctx, status, reason)
}

// shutdown stops the goroutines and closes the connection, which unpublishes the stream.
func (a *Actor) shutdown() {
	if a.cancelConnect != nil {
		a.cancelConnect()
		<-a.connectDone
		a.cancelConnect = nil
	}
	if a.items != nil {
		close(a.items)
		<-a.writerDone
		a.items = nil
	}
	// A client that connected while the actor was stopping is closed here.
	select {
	case c := <-a.connResult:
		c.Close()
	default:
	}
}

func (a *Actor) status(ctx actor.Context, status, reason string) {
	ctx.Send(a.parent, &StatusChanged{Status: status, Reason: reason})
}

func (a *Actor) recoverGoroutine(name string) {
	if r := recover(); r != nil {
		a.log.Error("goroutine panicked", "goroutine", name, "panic", r)
	}
}

// classify words a connect error for the status reason and the logs.
func classify(err error) string {
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Sprintf("%v: connection closed by the server (unknown application?)", ErrRefused)
	case strings.Contains(err.Error(), "NetStream.Publish.BadName"):
		return fmt.Sprintf("%v: stream name already in use (NetStream.Publish.BadName)", ErrRefused)
	}
	return err.Error()
}

func equal(a, b []byte) bool { return string(a) == string(b) }
