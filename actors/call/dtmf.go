package call

import (
	"context"
	"errors"
	"fmt"
	"net"
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
	// maxDTMFQueue bounds the requests waiting behind the one being sent: a client that sends
	// faster than digits can be played is told so rather than queued without end.
	maxDTMFQueue = 8
	// infoTimeout bounds one INFO transaction: a device answers it at once, and sipgo
	// retransmits over UDP within that time.
	infoTimeout = 4 * time.Second
	// dtmfMargin is added to a series' playing time for the audio actor's answer.
	dtmfMargin = 2 * time.Second
	// statusUnsupportedMediaType is the answer of a device that takes INFO, but not this body.
	statusUnsupportedMediaType = 415
)

// InfoSender is a dialog that can carry SIP INFO; sipua's sessions are.
type InfoSender interface {
	Info(ctx context.Context, contentType string, body []byte) error
}

// dtmfState is the call's DTMF sender: what the answer negotiated and the requests in order.
type dtmfState struct {
	ready  bool // the call was answered
	te     bool // the answer accepted telephone-event
	pt     uint8
	rate   uint32
	remote *net.UDPAddr
	// info is the content type of INFO digits: dtmf-relay unless the answer's Accept named
	// application/dtmf alone, then whichever the device last took (a 415 switches it).
	info  string
	queue []dtmfRequest // queue[0] is being sent
}

type dtmfRequest struct {
	m       *SendDTMF
	replyTo *actor.PID
}

// negotiateDTMF records what the answer allows: RFC 4733 events need telephone-event at the
// audio codec's clock and an address to send them to.
func (a *Actor) negotiateDTMF(audio *sdp.Media) {
	a.dtmf.ready = true
	if a.dtmf.info == "" {
		a.dtmf.info = dtmf.ContentTypeRelay
		if a.sess != nil {
			if t, ok := dtmf.InfoType(a.sess.Answer().Accept); ok {
				a.dtmf.info = t
			}
		}
	}
	if audio == nil {
		return
	}
	rate := uint32(8000)
	if c, ok := audio.First("PCMU", "PCMA", "SPEEX"); ok {
		rate = c.ClockRate
	}
	te, ok := audio.TelephoneEvent(rate)
	ip := net.ParseIP(audio.IP)
	if !ok || ip == nil || audio.Port == 0 {
		return
	}
	a.dtmf.te, a.dtmf.pt, a.dtmf.rate = true, te.PayloadType, te.ClockRate
	a.dtmf.remote = &net.UDPAddr{IP: ip, Port: audio.Port}
}

// dtmfOpen reports whether the call is established: answered, and not ending.
func (a *Actor) dtmfOpen() bool {
	return a.dtmf.ready && a.sess != nil && !a.done && !a.byRequest && !a.stopping && !callapi.Ended(a.call.Status)
}

func (a *Actor) handleSendDTMF(ctx actor.Context, m *SendDTMF) {
	reply := func(code DTMFCode, msg string) {
		if ctx.Sender() != nil {
			ctx.Respond(&SendDTMFResponse{Code: code, Message: msg})
		}
	}
	switch {
	case !a.dtmfOpen():
		reply(DTMFNotEstablished, fmt.Sprintf("call %s is %s, not established", a.cfg.Spec.CallID, a.call.Status))
	case m.Type == DTMFRFC2833 && !a.dtmf.te:
		reply(DTMFNotNegotiated, "the callee's answer did not accept telephone-event: send type INFO")
	case m.Type == DTMFInfo && !isInfoSender(a.sess):
		reply(DTMFFailed, "this dialog cannot send INFO")
	case m.Type != DTMFRFC2833 && m.Type != DTMFInfo:
		reply(DTMFFailed, fmt.Sprintf("unknown DTMF type %q", m.Type))
	case len(a.dtmf.queue) > maxDTMFQueue:
		reply(DTMFFailed, "too many DTMF requests waiting: wait for the answers")
	default:
		a.dtmf.queue = append(a.dtmf.queue, dtmfRequest{m: m, replyTo: ctx.Sender()})
		if len(a.dtmf.queue) == 1 {
			a.sendDTMF(ctx)
		}
	}
}

func isInfoSender(s any) bool {
	_, ok := s.(InfoSender)
	return ok
}

// sendDTMF starts the request at the head of the queue: RFC 2833 by the audio actor, answered
// through a future; INFO by a goroutine, one transaction per digit, reported by dtmfDone.
func (a *Actor) sendDTMF(ctx actor.Context) {
	req := a.dtmf.queue[0].m
	a.log.Info("sending DTMF", "type", req.Type, "digits", req.Digits)
	if req.Type == DTMFRFC2833 {
		timing := dtmf.DefaultTiming()
		timing.ClockRate = a.dtmf.rate
		f := ctx.RequestFuture(a.audio, &rtp.SendDTMF{Digits: req.Digits, PayloadType: a.dtmf.pt, ClockRate: a.dtmf.rate,
			Remote: a.dtmf.remote, Timing: timing}, timing.Length(len(req.Digits))+dtmfMargin)
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
	sess, root, self, ct, log := a.sess.(InfoSender), a.system.Root, a.self, a.dtmf.info, a.log
	go func() {
		defer a.recoverGoroutine("dtmf-info")
		var err error
		for i := 0; i < len(req.Digits) && err == nil; i++ {
			d := req.Digits[i]
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
	if m.info != "" {
		a.dtmf.info = m.info // the format the device took (or last refused): for the next digits
	}
	if len(a.dtmf.queue) > 0 {
		a.finishDTMF(ctx, m.err)
	}
}

// finishDTMF answers the head request and starts the next, or refuses the rest if the call is
// no longer established.
func (a *Actor) finishDTMF(ctx actor.Context, err error) {
	head := a.dtmf.queue[0]
	a.dtmf.queue = a.dtmf.queue[1:]
	res := &SendDTMFResponse{Code: DTMFSent}
	if err != nil {
		res.Code, res.Message = DTMFFailed, err.Error()
		a.log.Warn("DTMF not sent", "type", head.m.Type, "digits", head.m.Digits, "err", err)
	} else {
		metrics.DTMFSent.With(head.m.Type).Add(uint64(len(head.m.Digits)))
	}
	if head.replyTo != nil {
		ctx.Send(head.replyTo, res)
	}
	if len(a.dtmf.queue) == 0 {
		return
	}
	if a.dtmfOpen() {
		a.sendDTMF(ctx)
		return
	}
	for _, r := range a.dtmf.queue {
		if r.replyTo != nil {
			ctx.Send(r.replyTo, &SendDTMFResponse{Code: DTMFNotEstablished, Message: "the call ended"})
		}
	}
	a.dtmf.queue = nil
}

// DTMFTimeout is how long a REST request for n digits should wait for SendDTMFResponse: INFO
// takes up to one transaction per digit; a request queued behind others may take longer, and
// then answers a requester that gave up, which is harmless.
func DTMFTimeout(n int) time.Duration {
	return 10*time.Second + time.Duration(n)*infoTimeout
}
