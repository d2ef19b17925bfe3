// Package call is the call actor: one per call, supervised by the registry. It owns the call's
// SIP dialog (through the shared UA), its two RTP socket actors and its RTMP publisher, all as
// children, and it is the only writer of the call object: every change goes to the registry as an
// Updated snapshot. Its life is a set of behaviours: inviting → established → terminating.
package call

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/actors/rtmp"
	"github.com/sipcast/sipcast/actors/rtp"
	"github.com/sipcast/sipcast/internal/sipua"
	"github.com/sipcast/sipcast/media/frame"
	"github.com/sipcast/sipcast/media/transcode"
	"github.com/sipcast/sipcast/protocol/callapi"
	"github.com/sipcast/sipcast/protocol/sdp"
)

// Signaling is what the call needs of the SIP stack; sipua.UA implements it, tests fake it.
type Signaling interface {
	Invite(ctx context.Context, inv sipua.Invite) (sipua.Session, error)
	// Bind prepares the REGISTERs of a call with sipRegisterRequired.
	Bind(reg sipua.Registration) (sipua.Binding, error)
}

// Config builds a call actor.
type Config struct {
	Spec  callapi.Startup
	SIP   Signaling
	Ports *rtp.Ports
	// MediaIP is the address put in the SDP offer (SIPCAST_SIP_IP).
	MediaIP string
	// InviteTimeout bounds the wait for a final answer; then CANCEL. Default 60 s.
	InviteTimeout time.Duration
	// ByeTimeout bounds the wait for the BYE's answer on hangup. Default 5 s.
	ByeTimeout time.Duration
	// AACRate is the AAC output rate (0: same as the G.711 input).
	AACRate int
	// RTMPConnectTimeout bounds an RTMP connect + publish. Default 10 s.
	RTMPConnectTimeout time.Duration
	// RTMPReconnect is the publishers' retry policy after a lost connection.
	RTMPReconnect rtmp.Reconnect
	// RTMPGapFill is the publishers' gap threshold (rtmp.Config.GapFill): 0 the default,
	// negative off.
	RTMPGapFill time.Duration
	// RTMPTLS configures rtmps:// targets (CA file, or verification off for test servers).
	RTMPTLS *tls.Config
	// RTMPAudio is the server's default RTMP audio codec; the startup's rtmpAudioCodec wins.
	RTMPAudio frame.AudioCodec
	// HangupOnRTMPFailure ends the call (FAILED) when its own RTMP target fails for good. Off by
	// default: the SIP call goes on, and pushes may still carry it.
	HangupOnRTMPFailure bool
	// SessionExpires and MinSE are the RFC 4028 session interval asked for in the INVITE and the
	// shortest one accepted from the callee; 0 asks for none (the callee's own still run).
	SessionExpires, MinSE time.Duration
	// MediaTimeout ends the call (BYE, FAILED) when the device sends neither RTP nor RTCP for that
	// long; MediaStartTimeout is the grace before its first packet. 0 disables each.
	MediaTimeout, MediaStartTimeout time.Duration
	// Latching is symmetric RTP: send to where the device's packets come from.
	Latching bool
	// RegisterExpires is the binding lifetime asked of the registrar. Default 3600 s.
	RegisterExpires time.Duration
	// AudioCodecs and VideoCodecs are the offer's formats in preference order; nil offers the
	// spec's (PCMA, PCMU; H.264 modes 1 and 0).
	AudioCodecs, VideoCodecs []sdp.OfferCodec
	// Media are the RTP actors' receive settings (jitter buffer).
	Media rtp.MediaOptions
	// Video configures the H.264 encoder of a VP8 call's transcoder.
	Video transcode.VideoConfig
	// Viewers, when set, gives the props of the call's viewers hub (WHEP) for its toStream
	// (viewers.go); nil: the call cannot be watched.
	Viewers func(callID, stream string) *actor.Props
	// HLS, when set, gives the props of the call's LL-HLS actor, a subscriber of its stream.
	HLS func(callID, stream string) *actor.Props

	NodeID string
	Logger *slog.Logger
	Now    func() time.Time
}

func (c *Config) defaults() {
	if c.InviteTimeout == 0 {
		c.InviteTimeout = 60 * time.Second
	}
	if c.ByeTimeout == 0 {
		c.ByeTimeout = 5 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.MinSE == 0 {
		c.MinSE = 90 * time.Second // RFC 4028's floor
	}
	if c.RegisterExpires == 0 {
		c.RegisterExpires = time.Hour
	}
}

// Actor is the call actor.
type Actor struct {
	cfg      Config
	log      *slog.Logger
	self     *actor.PID
	system   *actor.ActorSystem
	behavior actor.Behavior

	call      callapi.Call
	byRequest bool
	cancel    context.CancelCauseFunc // cancels the INVITE (→ CANCEL) and the dialog watcher
	sess      sipua.Session
	audioPair *rtp.Pair
	videoPair *rtp.Pair
	audio     *actor.PID
	video     *actor.PID
	publisher *actor.PID
	pushes    map[string]*actor.PID // mediaSessionId → publisher
	tracks    *frame.Tracks         // nil until the answer
	width     int
	height    int
	done      bool // a final status was reported; the actor is stopping
	stopping  bool // Stopping received: children end because their parent does
	dtmf      dtmfSender
	dlg       dialogState // after the answer: SDP versions, hold, session timer, media, registration
	tx        transcoding // transcoders and lip sync (transcode.go)
	hls       *actor.PID  // the LL-HLS actor (viewers.go), a subscriber like a publisher
}

// NewProps returns the props of a call actor, with the supervision of its children: a crashed
// RTP or RTMP actor is restarted (its socket or connection is rebuilt), up to 3 times in 30 s,
// then stopped — the call goes on without it rather than failing.
func NewProps(cfg Config) *actor.Props {
	cfg.defaults()
	strategy := actor.NewOneForOneStrategy(3, 30*time.Second, func(reason any) actor.Directive {
		return actor.RestartDirective
	})
	return actor.PropsFromProducer(func() actor.Actor {
		a := &Actor{cfg: cfg, behavior: actor.NewBehavior()}
		a.dlg.session = newSessionTimer(cfg.MinSE, cfg.Now)
		a.dlg.reg = newRegistration(cfg.RegisterExpires, cfg.Now)
		a.dtmf = newDTMFSender(cfg.Now)
		a.behavior.Become(a.inviting)
		return a
	}, actor.WithSupervisor(strategy))
}

// Receive delegates to the current behaviour.
func (a *Actor) Receive(ctx actor.Context) { a.behavior.Receive(ctx) }

// common handles what every state treats alike; it reports whether it handled the message.
func (a *Actor) common(ctx actor.Context) bool {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		a.handleStarted(ctx)
	case *actor.Stopping:
		a.handleStopping()
	case *actor.Stopped:
		a.log.Info("actor stopped", "status", a.call.Status)
	case *actor.Restarting:
		// The registry's strategy stops calls instead of restarting them: a SIP dialog cannot be
		// rebuilt from scratch. Should that change, release what this incarnation holds.
		a.handleStopping()
	case *actor.Terminated:
		a.handleChildTerminated(ctx, m)
	case *rtmp.StatusChanged:
		a.handleRTMPStatus(ctx, m)
	case *rtmp.GapChanged:
		a.handleRTMPGap(ctx, m)
	case *frame.KeyframeNeeded:
		// A transcoder makes an IDR of its own; an RTP actor asks the device.
		if pid := firstPID(a.tx.video, a.video); pid != nil {
			ctx.Send(pid, m)
		}
	case *rtp.MediaStarted:
		a.log.Info("media flowing", "kind", m.Kind.String())
	case *rtp.Retap:
		a.retapViewers(ctx, m.PID)
	case *frame.VideoFormat:
		a.width, a.height = m.Width, m.Height
		a.publish(ctx)
	case *AddPush:
		a.handleAddPush(ctx, m)
	case *RemovePush:
		a.handleRemovePush(ctx, m)
	case *PushAudio:
		if pid := a.pushes[m.ID]; pid != nil {
			ctx.Send(pid, &m.Set)
		}
	case *SendDTMF:
		a.handleSendDTMF(ctx, m)
	case *dtmfDone:
		a.handleDTMFDone(ctx, m)
	case *inDialog, *timerFired, *refreshDone, *registerDone, *rtp.MediaTimedOut, *rtp.MediaResumed,
		*rtp.DTMFReceived, *rtp.Latched:
		a.handleDialog(ctx)
	case *ForcePanic:
		panic("call: forced panic for fault-injection test")
	default:
		return false
	}
	return true
}

func (a *Actor) handleStarted(ctx actor.Context) {
	a.self, a.system = ctx.Self(), ctx.ActorSystem()
	s := a.cfg.Spec
	a.log = a.cfg.Logger.With("actor", "call", "callId", s.CallID)
	a.log.Info("actor started", "callee", s.Callee, "domain", s.SIPDomain)
	a.call = NewCallObject(s, a.cfg.NodeID)
	a.publish(ctx)
	var err error
	if a.audioPair, err = a.cfg.Ports.Bind(); err == nil {
		a.videoPair, err = a.cfg.Ports.Bind()
	}
	if err != nil {
		a.audioPair.Close()
		a.finish(ctx, callapi.StatusFailed, 0, fmt.Sprintf("cannot place call: %v", err))
		return
	}
	a.audio = a.spawnRTP(ctx, rtp.Audio, a.audioPair)
	a.video = a.spawnRTP(ctx, rtp.Video, a.videoPair)
	a.spawnViewers(ctx)
	if s.RTMP != nil {
		a.publisher = a.spawnPublisher(ctx)
	}
	a.placeCall(ctx)
}

func (a *Actor) spawnRTP(ctx actor.Context, kind rtp.Kind, pair *rtp.Pair) *actor.PID {
	props := rtp.NewProps(rtp.Config{Kind: kind, CallID: a.cfg.Spec.CallID, Pair: pair,
		AACRate: a.cfg.AACRate, Media: a.cfg.Media, Logger: a.cfg.Logger, Now: a.cfg.Now})
	pid, err := ctx.SpawnNamed(props, kind.String())
	if err != nil {
		panic(fmt.Errorf("spawn %s: %w", kind, err))
	}
	return pid
}

func (a *Actor) spawnPublisher(ctx actor.Context) *actor.PID {
	return a.spawnTarget(ctx, rtmp.Config{Target: *a.cfg.Spec.RTMP}, "rtmp")
}

// spawnTarget starts a publisher child with the call's RTMP policy and, once the answer is in,
// its tracks.
func (a *Actor) spawnTarget(ctx actor.Context, pc rtmp.Config, name string) *actor.PID {
	pc.CallID, pc.Logger, pc.Now = a.cfg.Spec.CallID, a.cfg.Logger, a.cfg.Now
	pc.ConnectTimeout, pc.Reconnect, pc.TLS = a.cfg.RTMPConnectTimeout, a.cfg.RTMPReconnect, a.cfg.RTMPTLS
	pc.GapFill = a.cfg.RTMPGapFill
	pid, err := ctx.SpawnNamed(rtmp.NewProps(pc), name)
	if err != nil {
		panic(fmt.Errorf("spawn publisher %s: %w", name, err))
	}
	if a.tracks != nil {
		ctx.Send(pid, a.tracks)
	}
	return pid
}

// handleStopping releases the SIP side if the call is stopped from outside (supervisor stop
// after a crash, shutdown): the callee must not be left in a dialog nobody serves.
func (a *Actor) handleStopping() {
	a.stopping = true
	a.endDialog()
	if a.cancel != nil {
		a.cancel(sipua.ErrForceCancel)
	}
	if a.sess != nil && !a.done {
		sess, timeout := a.sess, a.cfg.ByeTimeout
		go func() {
			defer a.recoverGoroutine("stop-bye", nil) // the actor is gone: nobody to tell
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			_ = sess.Bye(ctx)
			sess.Close()
		}()
		a.sess = nil
	}
	a.log.Info("actor stopping", "status", a.call.Status)
}

func (a *Actor) handleChildTerminated(ctx actor.Context, m *actor.Terminated) {
	if a.done || a.stopping {
		return
	}
	switch {
	case m.Who.Equal(a.publisher):
		a.publisher = nil
		a.resubscribe(ctx)
		a.setRTMPStatus(ctx, callapi.RTMPConnectionFailed, "publisher stopped after repeated failures")
	case m.Who.Equal(a.audio), m.Who.Equal(a.video), m.Who.Equal(a.tx.audio), m.Who.Equal(a.tx.video):
		a.log.Error("media actor stopped after repeated failures", "who", m.Who.Id)
		a.hangup(ctx, callapi.StatusFailed, "media actor failed")
	}
}

func (a *Actor) handleRTMPStatus(ctx actor.Context, m *rtmp.StatusChanged) {
	if a.done {
		// The call's end fixed every RTMP status (callapi.EndedRTMP); a publisher's late word
		// must not bring a dead stream back to life.
		return
	}
	if m.ID != "" {
		ctx.Send(ctx.Parent(), &PushStatus{CallID: a.cfg.Spec.CallID, ID: m.ID, Status: m.Status, Reason: m.Reason})
		return
	}
	a.setRTMPStatus(ctx, m.Status, m.Reason)
	if m.Status == callapi.RTMPConnectionFailed && a.cfg.HangupOnRTMPFailure && !a.done {
		a.hangup(ctx, callapi.StatusFailed, "rtmp: "+m.Reason)
	}
}

func (a *Actor) setRTMPStatus(ctx actor.Context, status, reason string) {
	a.call.RTMPStreamStatus = callapi.Str(status)
	if reason != "" {
		a.call.Reason = callapi.Str("rtmp: " + reason)
	}
	a.publish(ctx)
}

// publish sends the registry a snapshot of the call object.
func (a *Actor) publish(ctx actor.Context) {
	ctx.Send(ctx.Parent(), &Updated{Call: a.call.Clone(), ByRequest: a.byRequest, Width: a.width, Height: a.height})
}

// finish reports a final status. The parent stops the actor when it has taken the snapshot in
// (and with it every child: the publishers close their connections, which unpublishes the
// stream). Stopping ourselves here would race: Terminated is a system message and may overtake
// the final Updated in the parent's mailbox.
func (a *Actor) finish(ctx actor.Context, status string, code int, reason string) {
	if a.done {
		return
	}
	a.done = true
	a.call.Status = status
	if code != 0 {
		a.call.SIPStatus = callapi.Int(code)
	}
	if reason != "" {
		a.call.Reason = callapi.Str(reason)
	}
	if a.call.RTMPStreamStatus != nil {
		a.call.RTMPStreamStatus = callapi.Str(callapi.EndedRTMP(*a.call.RTMPStreamStatus))
	}
	a.log.Info("call ended", "status", status, "sipStatus", code, "reason", reason)
	a.publish(ctx)
	a.endDialog()
	if a.sess != nil {
		a.sess.Close()
		a.sess = nil
	}
}
