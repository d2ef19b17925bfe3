package call

import (
	"net"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/actors/rtp"
	"github.com/sipcast/sipcast/protocol/dtmf"
	"github.com/sipcast/sipcast/protocol/sdp"
)

const (
	// maxDTMFQueue bounds the requests waiting behind the one being sent: a client that sends
	// faster than digits can be played is told so rather than queued without end.
	maxDTMFQueue = 8
	// dtmfMargin is added to a series' playing time for the audio actor's answer.
	dtmfMargin = 2 * time.Second
)

// dtmfSender is the call's DTMF sending, decided without I/O: what the answer negotiated, the
// requests in order, and the plan of the one at the head — which events the audio actor plays
// and by when it must have answered, or which INFO content type carries the digits. The actor
// runs the plan (a future to the audio actor, or an INFO goroutine) and relays the answers.
type dtmfSender struct {
	now func() time.Time // the call's clock

	ready  bool // the call was answered
	te     bool // the answer accepted telephone-event
	pt     uint8
	rate   uint32
	remote *net.UDPAddr
	// info is the content type of INFO digits: dtmf-relay unless the answer's Accept named
	// application/dtmf alone, then whichever the device last took (a 415 switches it).
	info  string
	queue []dtmfRequest // queue[0] is being sent
	// inband: tones can go in sipcast's audio (dtmf_inband.go), inbandWhy says why not;
	// infoAllowed: the device's Allow lists INFO. The actor sets them with negotiate.
	inband      bool
	inbandWhy   string
	infoAllowed bool
}

type dtmfRequest struct {
	m       *SendDTMF
	replyTo *actor.PID
	route   string // how the digits go: RFC2833, INBAND or INFO (route)
	why     string // why route is not the type asked
}

func newDTMFSender(now func() time.Time) dtmfSender { return dtmfSender{now: now} }

// negotiate records what an exchange allows: RFC 4733 events need telephone-event at the audio
// codec's clock and an address to send them to. accept is the callee's Accept from its 2xx,
// which picks the INFO content type the first time.
func (d *dtmfSender) negotiate(audio *sdp.Media, accept string) {
	d.ready, d.te = true, false
	if d.info == "" {
		d.info = dtmf.ContentTypeRelay
		if t, ok := dtmf.InfoType(accept); ok {
			d.info = t
		}
	}
	if audio == nil {
		return
	}
	rate := uint32(8000)
	if c, ok := audio.First(sdp.NamePCMU, sdp.NamePCMA, sdp.NameSpeex); ok {
		rate = c.ClockRate
	}
	te, ok := audio.TelephoneEvent(rate)
	ip := net.ParseIP(audio.IP)
	if !ok || ip == nil || audio.Port == 0 {
		return
	}
	d.te, d.pt, d.rate = true, te.PayloadType, te.ClockRate
	d.remote = &net.UDPAddr{IP: ip, Port: audio.Port}
}

// latched follows symmetric RTP: RFC 2833 digits go where the audio goes.
func (d *dtmfSender) latched(addr *net.UDPAddr) {
	if d.remote != nil {
		d.remote = addr
	}
}

// admit queues a request, or says why not. live: the dialog is up and not ending; canInfo: it
// can carry INFO. start: the request is the head, to send now.
func (d *dtmfSender) admit(r dtmfRequest, live, canInfo bool) (code DTMFCode, msg string, start bool) {
	switch {
	case !d.ready || !live:
		return DTMFNotEstablished, "", false
	}
	r.route, r.why = d.route(r.m.Type, canInfo)
	switch {
	case r.route == "" && r.m.Type != DTMFRFC2833 && r.m.Type != DTMFInband:
		return DTMFFailed, r.why, false
	case r.route == "":
		return DTMFNotNegotiated, r.why, false
	case r.route == DTMFInfo && !canInfo:
		return DTMFFailed, "this dialog cannot send INFO", false
	case len(d.queue) > maxDTMFQueue:
		return DTMFFailed, "too many DTMF requests waiting: wait for the answers", false
	}
	d.queue = append(d.queue, r)
	return DTMFSent, "", len(d.queue) == 1
}

// dtmfPlan is how the head request is sent: events or tones the audio actor plays (rtp or tones
// set), whose answer is due by deadline; or digits in INFO, starting in content type info.
type dtmfPlan struct {
	rtp      *rtp.SendDTMF
	tones    *rtp.SendTones
	deadline time.Time
	info     string
	digits   string
	route    string // RFC2833, INBAND or INFO
	why      string // why route is not the type asked
}

// plan is the plan of the head request; the queue must not be empty.
func (d *dtmfSender) plan() dtmfPlan {
	head := d.queue[0]
	req := head.m
	p := dtmfPlan{digits: req.Digits, route: head.route, why: head.why}
	switch head.route {
	case DTMFInband:
		p.tones = &rtp.SendTones{Digits: req.Digits}
		p.deadline = d.now().Add(tonesLength(len(req.Digits)) + dtmfMargin)
	case DTMFRFC2833:
		timing := dtmf.DefaultTiming()
		timing.ClockRate = d.rate
		p.rtp = &rtp.SendDTMF{Digits: req.Digits, PayloadType: d.pt, ClockRate: d.rate, Remote: d.remote, Timing: timing}
		p.deadline = d.now().Add(timing.Length(len(req.Digits)) + dtmfMargin)
	default:
		p.info = d.info
	}
	return p
}

// infoUsed records the INFO content type a series ended with: the device took it (or refused
// it last), so the next digits start in it.
func (d *dtmfSender) infoUsed(ct string) {
	if ct != "" {
		d.info = ct
	}
}

// finish ends the head request with err: it and its answer. more: another request waits.
func (d *dtmfSender) finish(err error) (head dtmfRequest, res *SendDTMFResponse, more bool) {
	head, d.queue = d.queue[0], d.queue[1:]
	res = &SendDTMFResponse{Code: DTMFSent, Type: head.route}
	if err != nil {
		res.Code, res.Message = DTMFFailed, err.Error()
	}
	return head, res, len(d.queue) > 0
}

// drop empties the queue, the call having ended: the requests to answer DTMFNotEstablished.
func (d *dtmfSender) drop() []dtmfRequest {
	q := d.queue
	d.queue = nil
	return q
}
