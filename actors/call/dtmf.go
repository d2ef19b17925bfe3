package call

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/actors/rtp"
	"github.com/sipcast/sipcast/internal/metrics"
	"github.com/sipcast/sipcast/internal/sipua"
	"github.com/sipcast/sipcast/protocol/callapi"
	"github.com/sipcast/sipcast/protocol/dtmf"
	"github.com/sipcast/sipcast/protocol/sdp"
)

// DTMF types of SendDTMF, as the REST API names them.
const (
	DTMFRFC2833 = "RFC2833"
	DTMFInfo    = "INFO"
)

const (
	// infoTimeout bounds one INFO transaction: a device answers it at once, and sipgo
	// retransmits over UDP within that time.
	infoTimeout = 4 * time.Second
	// statusUnsupportedMediaType is the answer of a device that takes INFO, but not this body.
	statusUnsupportedMediaType = 415
)

// InfoSender is a dialog that can carry SIP INFO; sipua's sessions are.
type InfoSender interface {
	Info(ctx context.Context, contentType string, body []byte) error
}

// dialogLive reports whether the dialog is up and not ending: DTMF may be sent in it.
func (a *Actor) dialogLive() bool {
	return a.sess != nil && !a.done && !a.byRequest && !a.stopping && !callapi.Ended(a.call.Status)
}

// negotiateDTMF tells the DTMF sender what an exchange allowed.
func (a *Actor) negotiateDTMF(audio *sdp.Media) {
	accept := ""
	if a.sess != nil {
		accept = a.sess.Answer().Accept
	}
	a.dtmf.negotiate(audio, accept)
	a.dtmf.inband, a.dtmf.inbandWhy = inbandRoute(audio, a.dlg.sdp.offer.AudioSendRecv)
	a.dtmf.infoAllowed = a.sess != nil && allowsInfo(a.sess.Answer().Allow)
}

func (a *Actor) handleSendDTMF(ctx actor.Context, m *SendDTMF) {
	code, msg, start := a.dtmf.admit(dtmfRequest{m: m, replyTo: ctx.Sender()}, a.dialogLive(), isInfoSender(a.sess))
	switch {
	case start:
		a.sendDTMF(ctx)
	case code == DTMFSent: // queued behind another
	case ctx.Sender() == nil:
	case code == DTMFNotEstablished:
		ctx.Respond(&SendDTMFResponse{Code: code, Message: fmt.Sprintf("call %s is %s, not established", a.cfg.Spec.CallID, a.call.Status)})
	default:
		ctx.Respond(&SendDTMFResponse{Code: code, Message: msg})
	}
}

func isInfoSender(s any) bool {
	_, ok := s.(InfoSender)
	return ok
}

// sendDTMF starts the request at the head of the queue: RFC 2833 by the audio actor, answered
// through a future; INFO by a goroutine, one transaction per digit, reported by dtmfDone.
func (a *Actor) sendDTMF(ctx actor.Context) {
	p := a.dtmf.plan()
	if p.why != "" {
		a.log.Info("DTMF goes as "+p.route+": "+p.why, "digits", p.digits)
	}
	if p.rtp != nil || p.tones != nil {
		a.log.Info("sending DTMF", "type", p.route, "digits", p.digits)
		var msg any = p.rtp
		if p.tones != nil {
			msg = p.tones
		}
		f := ctx.RequestFuture(a.audio, msg, p.deadline.Sub(a.cfg.Now()))
		ctx.ReenterAfter(f, func(res any, err error) {
			if err == nil {
				if r, ok := res.(*rtp.SendDTMFResponse); ok && r.Error != "" {
					err = fmt.Errorf("%s", r.Error)
				}
			}
			a.finishDTMF(ctx, err)
		})
		return
	}
	a.log.Info("sending DTMF", "type", DTMFInfo, "digits", p.digits)
	sess, root, self, ct, log := a.sess.(InfoSender), a.system.Root, a.self, p.info, a.log
	go func() {
		defer a.recoverGoroutine("dtmf-info", func(err error) any { return &dtmfDone{err: err, info: ct} })
		var err error
		for i := 0; i < len(p.digits) && err == nil; i++ {
			d := p.digits[i]
			err = sendInfo(sess, ct, d)
			if next, ok := infoFallback(ct, err); ok {
				// The device takes the other format: this digit again, and the rest in it.
				log.Info("device refused DTMF INFO: switching content type", "from", ct, "to", next, "err", err)
				ct = next
				err = sendInfo(sess, ct, d)
			}
			if err != nil {
				err = fmt.Errorf("INFO (%s) for digit %c: %w", ct, d, err)
			}
		}
		root.Send(self, &dtmfDone{err: err, info: ct})
	}()
}

// sendInfo sends one digit as one INFO transaction in a content type.
func sendInfo(sess InfoSender, contentType string, digit byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), infoTimeout)
	defer cancel()
	return sess.Info(ctx, contentType, dtmf.InfoBody(contentType, digit, dtmf.DefaultTiming().Tone))
}

// infoFallback is the content type to resend a digit in after err, the answer to an INFO in ct:
// a 415 (Unsupported Media Type) whose Accept names the other DTMF type, or that names nothing
// (RFC 3261 §21.4.16 wants the list, not every device gives it). A 415 whose Accept lists
// neither is final: the device takes no DTMF in INFO.
func infoFallback(ct string, err error) (string, bool) {
	var fe *sipua.FinalResponseError
	if !errors.As(err, &fe) || fe.Code != statusUnsupportedMediaType {
		return "", false
	}
	if fe.Accept == "" {
		return dtmf.OtherInfoType(ct), true
	}
	if t, ok := dtmf.InfoType(fe.Accept); ok && t != ct {
		return t, true
	}
	return "", false
}

func (a *Actor) handleDTMFDone(ctx actor.Context, m *dtmfDone) {
	a.dtmf.infoUsed(m.info)
	if len(a.dtmf.queue) > 0 {
		a.finishDTMF(ctx, m.err)
	}
}

// finishDTMF answers the head request and starts the next, or refuses the rest if the call is
// no longer established.
func (a *Actor) finishDTMF(ctx actor.Context, err error) {
	head, res, more := a.dtmf.finish(err)
	if err != nil {
		a.log.Warn("DTMF not sent", "type", head.route, "digits", head.m.Digits, "err", err)
	} else {
		metrics.DTMFSent.With(head.route).Add(uint64(len(head.m.Digits)))
	}
	if head.replyTo != nil {
		ctx.Send(head.replyTo, res)
	}
	switch {
	case !more:
	case a.dialogLive():
		a.sendDTMF(ctx)
	default:
		for _, r := range a.dtmf.drop() {
			if r.replyTo != nil {
				ctx.Send(r.replyTo, &SendDTMFResponse{Code: DTMFNotEstablished, Message: "the call ended"})
			}
		}
	}
}

// DTMFTimeout is how long a REST request for n digits should wait for SendDTMFResponse: INFO
// takes up to one transaction per digit; a request queued behind others may take longer, and
// then answers a requester that gave up, which is harmless.
func DTMFTimeout(n int) time.Duration {
	return 10*time.Second + time.Duration(n)*infoTimeout
}
