// Package rtmp is the RTMP publisher actor: one per RTMP target of a call (the call's own
// rtmpUrl and each push), a child of the call actor. It connects and publishes with
// bluenviron/gortmplib in a goroutine it owns (with a timeout, so a silent server cannot hang
// it), says RTMP_STREAM_ACTIVE only once the server accepted the publish, and feeds a writer
// goroutine through a bounded queue. When the connection drops it says RTMP_CONNECTION_LOST and
// reconnects with exponential backoff and jitter, republishing the same name and restarting on a
// keyframe with fresh sequence headers, on one timeline that never goes backwards; after too many
// failed attempts, or too long, RTMP_CONNECTION_FAILED.
package rtmp

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/bluenviron/gortmplib"

	"github.com/sipcast/sipcast/internal/metrics"
	"github.com/sipcast/sipcast/media/clock"
	"github.com/sipcast/sipcast/media/frame"
	"github.com/sipcast/sipcast/protocol/callapi"
	"github.com/sipcast/sipcast/protocol/rtmpurl"
)

// Config builds a publisher.
type Config struct {
	CallID string
	// ID names the publisher in its call: "" for the call's rtmpUrl, the mediaSessionId of a push.
	ID     string
	Target rtmpurl.Target
	// TLS configures rtmps:// targets (nil: system roots, verification on).
	TLS *tls.Config
	// ConnectTimeout bounds TCP connect + handshake + connect/publish commands. Default 10 s.
	ConnectTimeout time.Duration
	// WriteTimeout is how long the server may take no data at all before the connection counts
	// as lost (a slow server makes the publisher drop GOPs instead). Default 10 s: Linux wakes a
	// blocked writer only once much of its send buffer drained, which takes seconds on a slow link.
	WriteTimeout time.Duration
	Reconnect    Reconnect
	// Muted and Sound are the initial audio state (a push may start muted or with a sound).
	Muted bool
	Sound *Sound
	// GapFill is how long a track may go without a frame before the publisher fills it
	// (gapfill.go). Default (0) DefaultGapFill; negative: never filled.
	GapFill time.Duration
	Logger  *slog.Logger
	// Now is the clock of the reconnect policy (how long an outage lasted). Default time.Now.
	// Socket deadlines keep the real clock: the kernel knows no other.
	Now func() time.Time
}

// Actor is the publisher.
type Actor struct {
	cfg      Config
	log      *slog.Logger
	self     *actor.PID
	parent   *actor.PID
	system   *actor.ActorSystem
	behavior actor.Behavior
	kept     *kept

	gen           int // connection attempt number; stale goroutine messages carry an older one
	cancelConnect context.CancelFunc
	connectDone   chan struct{}
	connResult    chan *gortmplib.Client
	items         chan item
	writerDone    chan struct{}

	outage     outage
	reconnects int
	written    *trackInit // what the writer was last initialised with
	started    bool       // the first frame went out: the timeline offset is fixed
	waitingKey bool
	offset     time.Duration
	videoDTS   clock.Monotonic
	audioDTS   clock.Monotonic
	dropped    int
	audioFx    *audioFx
	gop        gopCache
	gap        *gapFill // nil: gap filling is off
	// mailDrops counts the frames the mailbox dropped (shared by the actor's incarnations);
	// seenDrops is the count at the last frame handled.
	mailDrops *atomic.Uint64
	seenDrops uint64
	// writtenPTS is the timeline position of the last frame the writer got out (-1: none yet on
	// this connection); the distance to what the actor enqueues is the publisher's lag, while
	// the writer has items left. writtenSeq is the seq of the last item it got out: equal to
	// enqueuedSeq, the writer has written everything it was given and lags by nothing; caughtUp
	// is the position of the first frame enqueued then, where the writer stood at live.
	writtenPTS  atomic.Int64
	writtenSeq  atomic.Uint64
	enqueuedSeq uint64
	caughtUp    time.Duration
}

// kept is what survives a supervised restart of the publisher: the call sends the tracks once,
// and the audio state is the user's choice.
type kept struct {
	tracks *frame.Tracks
	muted  bool
	sound  *Sound
}

// NewProps returns the props of a publisher.
func NewProps(cfg Config) *actor.Props {
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = 10 * time.Second
	}
	cfg.Reconnect.defaults()
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	k := &kept{muted: cfg.Muted, sound: cfg.Sound}
	drops := &atomic.Uint64{}
	return actor.PropsFromProducer(func() actor.Actor {
		a := &Actor{cfg: cfg, behavior: actor.NewBehavior(), kept: k, mailDrops: drops}
		a.behavior.Become(a.connecting)
		return a
	}, mailboxProps(drops))
}

// Receive delegates to the current state: connecting, active, waiting or ended.
func (a *Actor) Receive(ctx actor.Context) { a.behavior.Receive(ctx) }

// lifecycle handles the messages every state treats alike; it reports whether it handled one.
func (a *Actor) lifecycle(ctx actor.Context) bool {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		a.handleStarted(ctx)
	case *actor.Stopping, *actor.Restarting:
		a.shutdown()
		a.log.Info("actor stopping", "reason", fmt.Sprintf("%T", m), "dropped", a.dropped, "reconnects", a.reconnects)
	case *actor.Stopped:
		a.log.Info("actor stopped")
	case *frame.Tracks:
		a.kept.tracks = m
		a.audioFx = nil // a new audio format needs new silence and sound frames
	case *SetAudio:
		a.handleSetAudio(m)
	case *gapTick:
		a.handleGapTick(ctx, m)
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
	case *frame.VideoFrame, *frame.AudioFrame:
		a.noticeHole(ctx)
		a.gop.add(m)
	case *connected:
		if m.gen == a.gen {
			a.handleConnected(ctx)
		}
	case *connectFailed:
		if m.gen == a.gen {
			a.handleConnectFailed(ctx, m.err)
		}
	}
}

// active: publishing; frames go to the writer.
func (a *Actor) active(ctx actor.Context) {
	if a.lifecycle(ctx) {
		return
	}
	switch m := ctx.Message().(type) {
	case *frame.VideoFrame:
		a.noticeHole(ctx)
		a.handleRealVideo(ctx, m)
	case *frame.AudioFrame:
		a.noticeHole(ctx)
		a.handleRealAudio(ctx, m)
	case *writeFailed:
		if m.gen == a.gen {
			a.handleLost(ctx, m.err)
		}
	}
}

// waiting: the connection is down; a timer will start the next attempt.
func (a *Actor) waiting(ctx actor.Context) {
	if a.lifecycle(ctx) {
		return
	}
	switch m := ctx.Message().(type) {
	case *frame.VideoFrame, *frame.AudioFrame:
		a.noticeHole(ctx)
		a.gop.add(m)
	case *retry:
		if m.gen == a.gen {
			a.dial(ctx)
		}
	}
}

// ended: failed for good; the publisher waits for its parent to stop it.
func (a *Actor) ended(ctx actor.Context) {
	a.lifecycle(ctx)
}

func (a *Actor) handleStarted(ctx actor.Context) {
	a.self, a.parent, a.system = ctx.Self(), ctx.Parent(), ctx.ActorSystem()
	a.log = a.cfg.Logger.With("actor", "rtmp", "callId", a.cfg.CallID, "target", a.cfg.Target.Redacted())
	if a.cfg.ID != "" {
		a.log = a.log.With("mediaSessionId", a.cfg.ID)
	}
	a.log.Info("actor started")
	a.status(ctx, callapi.RTMPStreamWait, "")
	a.startGapFill()
	a.dial(ctx)
}

// dial starts one connection attempt in a goroutine.
func (a *Actor) dial(ctx actor.Context) {
	a.gen++
	a.behavior.Become(a.connecting)
	cctx, cancel := context.WithTimeout(context.Background(), a.cfg.ConnectTimeout)
	a.cancelConnect = cancel
	a.connectDone = make(chan struct{})
	a.connResult = make(chan *gortmplib.Client, 1)
	go a.connect(cctx, a.gen, a.connResult, a.connectDone)
}

func (a *Actor) handleConnected(ctx actor.Context) {
	var client *gortmplib.Client
	select {
	case client = <-a.connResult:
	default:
		return
	}
	a.stopConnect()
	a.items = make(chan item, queueLen)
	a.writerDone = make(chan struct{})
	a.writtenPTS.Store(-1)
	a.writtenSeq.Store(0)
	a.enqueuedSeq, a.caughtUp = 0, 0
	go a.writerLoop(client, a.gen, a.items, a.writerDone)
	a.behavior.Become(a.active)
	a.written = nil
	a.waitingKey = true
	a.gapRestart()
	if a.outage.active() {
		a.reconnects++
		metrics.RTMPReconnects.Inc()
		a.log.Info("publish accepted again", "after", a.outage.elapsed(a.cfg.Now()), "reconnects", a.reconnects)
	} else {
		a.log.Info("publish accepted")
	}
	a.outage = outage{}
	a.status(ctx, callapi.RTMPStreamActive, "")
	if !a.replayGOP(ctx) {
		// Nothing kept to start on, and the next keyframe may be a whole GOP away: ask for one.
		ctx.Send(a.parent, &frame.KeyframeNeeded{})
	}
}

func (a *Actor) handleConnectFailed(ctx actor.Context, err error) {
	a.stopConnect()
	reason := classify(err)
	if !a.outage.active() {
		// The first connection of this publisher failed: a wrong host, port, application or
		// stream name is the likely cause, and the user should learn it at once, not after
		// minutes of retries. Retries are for a target that worked and went away.
		a.fail(ctx, reason)
		return
	}
	a.scheduleRetry(ctx, reason)
}

func (a *Actor) handleLost(ctx actor.Context, err error) {
	a.stopWriter()
	a.log.Warn("rtmp connection lost", "err", err)
	a.status(ctx, callapi.RTMPConnectionLost, err.Error())
	a.scheduleRetry(ctx, err.Error())
}

// scheduleRetry waits for the next attempt, or gives up.
func (a *Actor) scheduleRetry(ctx actor.Context, reason string) {
	now := a.cfg.Now()
	if !a.outage.active() {
		a.outage.start(now)
	}
	a.outage.failures++
	delay, ok := a.cfg.Reconnect.next(a.outage, now)
	if !ok {
		a.fail(ctx, fmt.Sprintf("%v after %d attempts in %s: %s", ErrGaveUp, a.outage.failures,
			a.outage.elapsed(now).Round(time.Millisecond), reason))
		return
	}
	a.log.Info("rtmp reconnect scheduled", "in", delay.Round(time.Millisecond), "attempt", a.outage.failures, "reason", reason)
	a.gen++
	a.behavior.Become(a.waiting)
	msg, self, root := &retry{gen: a.gen}, a.self, a.system.Root
	time.AfterFunc(delay, func() { root.Send(self, msg) })
}

func (a *Actor) fail(ctx actor.Context, reason string) {
	a.log.Warn("rtmp publisher failed", "reason", reason)
	a.shutdown()
	a.behavior.Become(a.ended)
	a.status(ctx, callapi.RTMPConnectionFailed, reason)
}

// shutdown stops the goroutines and closes the connection, which unpublishes the stream.
func (a *Actor) shutdown() {
	a.gen++ // any timer or goroutine message still on its way is now stale
	a.stopConnect()
	a.stopWriter()
	a.stopGapFill()
	if a.audioFx != nil && a.audioFx.enc != nil {
		a.audioFx.enc.Close()
	}
	a.audioFx = nil
}

func (a *Actor) stopConnect() {
	if a.cancelConnect == nil {
		return
	}
	a.cancelConnect()
	<-a.connectDone
	a.cancelConnect = nil
	// A client that connected while the actor moved on is closed here, so none leaks.
	select {
	case c := <-a.connResult:
		c.Close()
	default:
	}
}

func (a *Actor) stopWriter() {
	if a.items == nil {
		return
	}
	close(a.items)
	<-a.writerDone
	a.items = nil
}

func (a *Actor) status(ctx actor.Context, status, reason string) {
	ctx.Send(a.parent, &StatusChanged{ID: a.cfg.ID, Status: status, Reason: reason, Reconnects: a.reconnects})
}
