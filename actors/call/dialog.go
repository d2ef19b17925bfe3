package call

import (
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/actors/rtp"
	"github.com/sipcast/sipcast/internal/sipua"
	"github.com/sipcast/sipcast/protocol/callapi"
	"github.com/sipcast/sipcast/protocol/dtmf"
	"github.com/sipcast/sipcast/protocol/sdp"
)

// dialogState is the call's life after the answer (and the registration before the INVITE):
// what SDP it last sent, what each media line negotiated, hold, media silence, the session timer.
type dialogState struct {
	parent      *actor.PID
	sdp         sdpDialog         // offers and answers, codecs per line (reoffer.go)
	expect      map[rtp.Kind]bool // lines the device sends on (media timeout applies)
	silent      map[rtp.Kind]bool // lines reported silent
	session     sessionTimer      // sessiontimer.go
	sessionWait *time.Timer       // the session timer's running wait
	reg         registration      // registration.go
	binding     sipua.Binding     // the registration's REGISTERs; nil without one
	regWait     *time.Timer       // the registration's running wait
}

// handleDialog takes the messages of the dialog's life: the callee's requests, timers, our
// refreshes, the registrar's answers, and the RTP actors' reports.
func (a *Actor) handleDialog(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *inDialog:
		a.handleInDialog(ctx, m.req)
	case *timerFired:
		a.handleTimer(ctx, m)
	case *refreshDone:
		a.handleRefreshDone(ctx, m)
	case *registerDone:
		a.handleRegisterDone(ctx, m)
	case *rtp.MediaTimedOut:
		a.handleMediaTimedOut(ctx, m)
	case *rtp.MediaResumed:
		delete(a.dlg.silent, m.Kind)
	case *rtp.DTMFReceived:
		a.publishDTMF(ctx, m.Digit, callapi.DTMFTypeRFC2833, m.Duration)
	case *rtp.Latched:
		if m.Kind == rtp.Audio {
			a.dtmf.latched(m.RTP)
		}
	}
}

// inCall reports whether the dialog is up and ours to keep: answered, not ending.
func (a *Actor) inCall() bool {
	s := a.call.Status
	return (s == callapi.StatusEstablished || s == callapi.StatusHold) && a.sess != nil &&
		!a.done && !a.byRequest && !a.stopping
}

// afterAnswer starts what the dialog needs once the 2xx is in: the RTP actors learn the device's
// side (silence to send, timeouts, latching, telephone events), the session timer starts.
func (a *Actor) afterAnswer(ctx actor.Context, ans *sdp.Answer, at time.Time) {
	a.dlg.sdp.answered(ans, at)
	a.sendPeer(ctx, rtp.Audio, ans.Audio)
	a.sendPeer(ctx, rtp.Video, ans.Video)
	a.startSessionTimer(ctx)
}

func (a *Actor) handleInDialog(ctx actor.Context, req *sipua.Request) {
	if !a.inCall() {
		req.Respond(sipua.Response{Code: 481, Reason: "Call/Transaction Does Not Exist"})
		return
	}
	switch req.Method {
	case "INFO":
		a.handleInfo(ctx, req)
	case "INVITE", "UPDATE":
		a.handleTargetRefresh(ctx, req)
	case "ACK":
		a.handleAckAnswer(ctx, req.Body)
	default:
		req.Respond(sipua.Response{Code: 501})
	}
}

// handleInfo takes DTMF in SIP INFO (application/dtmf-relay or application/dtmf) and answers
// 200; an INFO of another package (a picture update, a keepalive) gets 200 and is ignored.
func (a *Actor) handleInfo(ctx actor.Context, req *sipua.Request) {
	var digit byte
	var tone time.Duration
	var err error
	switch req.ContentType() {
	case dtmf.ContentTypeRelay:
		digit, tone, err = dtmf.ParseRelay(req.Body)
	case dtmf.ContentTypeDTMF:
		digit, err = dtmf.ParseDTMF(req.Body)
	default:
		req.Respond(sipua.Response{Code: 200})
		return
	}
	if err != nil {
		req.Respond(sipua.Response{Code: 400, Reason: "Bad DTMF Body"})
		return
	}
	req.Respond(sipua.Response{Code: 200})
	a.log.Info("DTMF received", "type", "INFO", "digit", string(digit), "ms", tone.Milliseconds())
	a.publishDTMF(ctx, digit, callapi.DTMFTypeInfo, tone)
}

func (a *Actor) publishDTMF(ctx actor.Context, digit byte, kind string, d time.Duration) {
	ctx.Send(ctx.Parent(), &DTMFReceived{DTMF: callapi.IncomingDTMF{NodeID: callapi.Str(a.cfg.NodeID),
		AppKey: callapi.Str(a.cfg.Spec.AppKey), CallID: a.cfg.Spec.CallID, DTMF: string(digit), Type: kind,
		Duration: int(d.Milliseconds())}})
}

// handleTargetRefresh answers the callee's re-INVITE or UPDATE as answerTargetRefresh decides
// (reoffer.go), and makes the media follow what it negotiated.
func (a *Actor) handleTargetRefresh(ctx actor.Context, req *sipua.Request) {
	res, neg, err := answerTargetRefresh(&a.dlg.session, &a.dlg.sdp, req,
		audioNames(a.tracks, a.tx.audioCodec), videoNames(a.tracks, a.tx.videoCodec))
	if err != nil {
		a.log.Warn("re-offer refused", "method", req.Method, "err", err)
	}
	if neg != nil {
		a.applyNegotiated(ctx, neg)
	}
	req.Respond(res)
	if res.Code == 200 {
		if len(res.Headers) > 0 {
			a.log.Info("session timer", a.dlg.session.logAttrs()...)
		}
		a.armSessionTimer()
	}
}

// handleAckAnswer applies the callee's answer, carried in its ACK, to the offer our 2xx made.
func (a *Actor) handleAckAnswer(ctx actor.Context, body []byte) {
	if len(body) == 0 {
		return
	}
	a.applyAnswer(ctx, body)
}

// applyAnswer applies an SDP answer of the callee to an offer of ours made in the dialog.
func (a *Actor) applyAnswer(ctx actor.Context, body []byte) {
	neg, err := dialogAnswer(body)
	if err != nil {
		a.log.Warn("bad SDP answer in the dialog", "err", err)
		return
	}
	a.applyNegotiated(ctx, neg)
}

// applyNegotiated makes the media follow a new exchange: a new codec reconfigures its RTP actor
// on the same timeline (the RTMP stream goes on), new addresses and directions go to the RTP
// actors as Peer, RFC 2833 sending follows the audio, and the status says HOLD or ESTABLISHED.
func (a *Actor) applyNegotiated(ctx actor.Context, neg *sdp.Negotiated) {
	// A change of audio leaves what the video line may take as it was: names are read once.
	zero := a.dlg.sdp.zero
	audio, video := audioNames(a.tracks, a.tx.audioCodec), videoNames(a.tracks, a.tx.videoCodec)
	if pt, key, ok := a.dlg.sdp.change(rtp.Audio, neg.Audio, audio); ok {
		if cfg, ok := mediaConfig(neg.Audio, zero, &a.tx, audio...); ok {
			cfg.Output = rtmpAudioOut(a.cfg.Spec, a.cfg.RTMPAudio)
			codec, _ := neg.Audio.First(cfg.Codec)
			a.followAudio(ctx, cfg, codec)
			ctx.Send(a.audio, cfg)
			a.dlg.sdp.follow(rtp.Audio, pt, key)
			a.log.Info("audio codec changed", "codec", cfg.Codec, "pt", pt)
		}
	}
	if pt, key, ok := a.dlg.sdp.change(rtp.Video, neg.Video, video); ok {
		if cfg, ok := mediaConfig(neg.Video, zero, &a.tx, video...); ok {
			codec, _ := neg.Video.First(cfg.Codec)
			a.followVideo(ctx, cfg, codec)
			ctx.Send(a.video, cfg)
			a.dlg.sdp.follow(rtp.Video, pt, key)
			a.log.Info("video codec changed", "codec", cfg.Codec, "pt", pt)
		}
	}
	a.sendPeer(ctx, rtp.Audio, neg.Audio)
	a.sendPeer(ctx, rtp.Video, neg.Video)
	a.negotiateDTMF(neg.Audio)
	status := callapi.StatusEstablished
	if neg.Hold {
		status = callapi.StatusHold
	}
	if status != a.call.Status {
		a.log.Info("hold state changed", "status", status)
		a.call.Status = status
		a.publish(ctx)
	}
}

// sendPeer tells one RTP actor about the device's side of its line (nil: the line is gone).
func (a *Actor) sendPeer(ctx actor.Context, kind rtp.Kind, m *sdp.Media) {
	pid, send := a.audio, a.dlg.sdp.offer.AudioSendRecv
	if kind == rtp.Video {
		pid, send = a.video, a.dlg.sdp.offer.VideoSendRecv // black keyframes: sipcast has no picture of its own
	}
	p := peerOf(m, kind, send)
	p.Latch, p.Timeout, p.StartTimeout = a.cfg.Latching, a.cfg.MediaTimeout, a.cfg.MediaStartTimeout
	if a.dlg.expect == nil {
		a.dlg.expect, a.dlg.silent = map[rtp.Kind]bool{}, map[rtp.Kind]bool{}
	}
	a.dlg.expect[kind] = p.Receives
	delete(a.dlg.silent, kind)
	if pid != nil {
		ctx.Send(pid, p)
	}
}

// handleMediaTimedOut ends the call when every line the device should send on is silent.
func (a *Actor) handleMediaTimedOut(ctx actor.Context, m *rtp.MediaTimedOut) {
	if !a.inCall() || a.dlg.expect == nil {
		return
	}
	a.dlg.silent[m.Kind] = true
	for kind, expected := range a.dlg.expect {
		if expected && !a.dlg.silent[kind] {
			a.log.Warn("one media line silent, the other alive", "kind", m.Kind.String())
			return
		}
	}
	// The limits, not the measured silence: the RTP actors look once a second, and the reason
	// should name the setting that ended the call.
	reason := fmt.Sprintf("%v: no RTP or RTCP from the device for %s", ErrMediaTimeout, a.cfg.MediaTimeout)
	if !m.Started {
		reason = fmt.Sprintf("%v: no RTP or RTCP from the device within %s of the answer", ErrMediaTimeout, a.cfg.MediaStartTimeout)
	}
	a.hangup(ctx, callapi.StatusFailed, reason)
}

// endDialog stops the dialog's timers and removes the registration: the call is over.
func (a *Actor) endDialog() {
	a.dlg.session.stop()
	disarm(&a.dlg.sessionWait)
	a.endRegistration()
}
