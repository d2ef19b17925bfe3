package call

import (
	"context"
	"errors"
	"fmt"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/internal/sipua"
	"github.com/sipcast/sipcast/media/frame"
	"github.com/sipcast/sipcast/protocol/callapi"
	"github.com/sipcast/sipcast/protocol/sdp"
)

// startInvite builds the offer and runs the INVITE transaction in a goroutine the actor owns. The
// goroutine reports every provisional, then the answer or the failure, and, once established,
// the callee's BYE, each as a message: the mailbox never waits on the network.
func (a *Actor) startInvite(ctx actor.Context) {
	s := a.cfg.Spec
	offer := sdp.Offer{
		Origin:         "sipcast",
		SessionID:      uint64(a.cfg.Now().UnixMilli()),
		SessionVersion: 1,
		LocalIP:        a.cfg.MediaIP,
		AudioPort:      a.audioPair.Port,
		VideoPort:      a.videoPair.Port,
		AudioSendRecv:  s.HasAudio,
		VideoSendRecv:  s.HasVideo,
		AudioSSRC:      randomUint32(),
		VideoSSRC:      randomUint32(),
		CName:          "sipcast/" + s.CallID,
		Speex:          rtmpAudioOut(s, a.cfg.RTMPAudio) == frame.Speex,
		TelephoneEvent: true,
	}
	offer.AudioCodecs, offer.VideoCodecs = offerCodecs(a.cfg.AudioCodecs, a.cfg.VideoCodecs, rtmpAudioOut(s, a.cfg.RTMPAudio))
	body, err := offer.Marshal()
	if err != nil {
		a.finish(ctx, callapi.StatusFailed, 0, fmt.Sprintf("build SDP offer: %v", err))
		return
	}
	a.dlg.sdp.offered(offer, body)
	a.call.SDP = nil
	inv := sipua.Invite{
		CallID: s.CallID, Callee: s.Callee, Domain: s.SIPDomain, Port: s.SIPPort,
		From: s.SIPLogin, DisplayName: s.VisibleName, Proxy: s.SIPOutboundProxy,
		AuthUser: s.SIPAuthName, Password: s.SIPPassword, SDP: body, Transport: s.SIPTransport,
		SessionExpires: int(a.cfg.SessionExpires.Seconds()), MinSE: int(a.cfg.MinSE.Seconds()),
	}
	dialogCtx, cancel := context.WithCancelCause(context.Background())
	a.cancel = cancel
	a.call.Status = callapi.StatusTrying
	a.publish(ctx)
	go a.runInvite(dialogCtx, inv)
}

func (a *Actor) runInvite(ctx context.Context, inv sipua.Invite) {
	defer a.recoverGoroutine("invite", func(err error) any { return &inviteFailed{err: err} })
	root, self := a.system.Root, a.self
	sess, err := a.cfg.SIP.Invite(ctx, inv)
	if err != nil {
		root.Send(self, &inviteFailed{err: err})
		return
	}
	waitCtx, cancel := context.WithTimeoutCause(ctx, a.cfg.InviteTimeout, ErrNoAnswer)
	body, err := sess.WaitAnswer(waitCtx, func(code int, reason string) {
		root.Send(self, &provisional{code: code, reason: reason})
	})
	timedOut := errors.Is(context.Cause(waitCtx), ErrNoAnswer)
	cancel()
	if err != nil {
		if timedOut {
			err = fmt.Errorf("%w within %s: %w", ErrNoAnswer, a.cfg.InviteTimeout, err)
		}
		root.Send(self, &inviteFailed{sess: sess, err: err})
		return
	}
	if err := sess.Ack(ctx); err != nil {
		root.Send(self, &inviteFailed{sess: sess, err: fmt.Errorf("send ACK: %w", err)})
		return
	}
	root.Send(self, &answered{sess: sess, sdp: body, at: a.cfg.Now()})
	for {
		select {
		case <-sess.Ended():
			root.Send(self, &remoteHungUp{})
			return
		case req := <-sess.Requests():
			root.Send(self, &inDialog{req: req})
		case <-ctx.Done():
			return
		}
	}
}

// inviting: INVITE sent, waiting for the final answer.
func (a *Actor) inviting(ctx actor.Context) {
	if a.common(ctx) {
		return
	}
	switch m := ctx.Message().(type) {
	case *provisional:
		a.handleProvisional(ctx, m)
	case *answered:
		a.handleAnswered(ctx, m)
	case *inviteFailed:
		a.handleInviteFailed(ctx, m)
	case *Hangup:
		// Cancelling the INVITE context makes sipgo send CANCEL; the goroutine then reports
		// inviteFailed, which ends the call.
		a.byRequest = true
		a.behavior.Become(a.terminating)
		if a.call.SIPStatus == nil {
			// No provisional yet, so no CANCEL is allowed (RFC 3261 §9.1): give up on the INVITE
			// at once rather than hold the terminate for Timer B's 32 s.
			a.cancel(sipua.ErrForceCancel)
		} else {
			a.cancel(nil)
		}
	}
}

func (a *Actor) handleProvisional(ctx actor.Context, m *provisional) {
	status := ""
	switch {
	case m.code == 100:
		status = callapi.StatusTrying
	case m.code == 180:
		status = callapi.StatusRing
	case m.code == 183:
		status = callapi.StatusSessionProgress
	default:
		status = callapi.StatusRing // 181/182 and other 1xx: the callee is being alerted
	}
	if status == callapi.StatusTrying && a.call.Status != callapi.StatusTrying {
		// sipgo hands each response to its own goroutine, so a 100 can arrive after the 180 it
		// preceded on the wire. The status never steps back.
		return
	}
	a.call.Status = status
	a.call.SIPStatus = callapi.Int(m.code)
	a.publish(ctx)
}

func (a *Actor) handleInviteFailed(ctx actor.Context, m *inviteFailed) {
	if m.sess != nil {
		m.sess.Close()
	}
	var final *sipua.FinalResponseError
	hasFinal := errors.As(m.err, &final)
	switch {
	case a.byRequest:
		code := 0
		if hasFinal {
			code = final.Code
		}
		a.finish(ctx, callapi.StatusFinish, code, "terminated before answer: CANCEL sent")
	case hasFinal && (final.Code == 486 || final.Code == 600):
		a.finish(ctx, callapi.StatusBusy, final.Code, final.Error())
	case hasFinal:
		a.finish(ctx, callapi.StatusFailed, final.Code, failureReason(a.cfg.Spec, final, m.err))
	case errors.Is(m.err, sipua.ErrTimeout):
		a.finish(ctx, callapi.StatusFailed, 408, m.err.Error())
	default:
		a.finish(ctx, callapi.StatusFailed, 0, m.err.Error())
	}
}

// terminating: hangup requested; waiting for the CANCEL or BYE to complete.
func (a *Actor) terminating(ctx actor.Context) {
	if a.common(ctx) {
		return
	}
	switch m := ctx.Message().(type) {
	case *inviteFailed:
		a.handleInviteFailed(ctx, m)
	case *answered:
		// The 200 crossed our CANCEL: the dialog exists, so it must be ended with a BYE.
		a.sess = m.sess
		a.sendBye(ctx)
	case *byeDone:
		reason := "terminated: BYE sent"
		if m.err != nil {
			reason = fmt.Sprintf("terminated: BYE failed: %v", m.err)
		}
		a.finish(ctx, callapi.StatusFinish, 0, reason)
	case *remoteHungUp:
		// Our BYE's answer ends the dialog too; byeDone follows.
	}
}

func (a *Actor) sendBye(ctx actor.Context) {
	sess, timeout, root, self := a.sess, a.cfg.ByeTimeout, a.system.Root, a.self
	go func() {
		defer a.recoverGoroutine("bye", func(err error) any { return &byeDone{err: err} })
		bctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		root.Send(self, &byeDone{err: sess.Bye(bctx)})
	}()
}
