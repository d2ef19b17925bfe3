package rtp

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/internal/metrics"
	"github.com/sipcast/sipcast/protocol/dtmf"
)

// dtmfSender plays RFC 4733 telephone events from the audio actor's RTP socket, with the actor's
// SSRC. Packets go out from the mailbox, paced by a timer that sends dtmfTick: no goroutine
// writes to the socket, and one request's digits finish before the next request's start.
type dtmfSender struct {
	queue []*dtmfJob // queue[0] is playing
	seq   uint16
	// base and epoch anchor the RTP clock: a timestamp advances with wall time since epoch, as
	// if audio had been sent all along, so events of later requests never go back in time.
	base  uint32
	epoch time.Time
	gen   int
	timer *time.Timer
	// free is when the next request may start: one packet interval after the last end packet,
	// so two requests' events keep the spacing of one request's.
	free time.Time
	// rate is the RTP clock of what is sent (the silence's or the line's); packets and octets
	// count what was sent, and reported the packets at the last report, for sender reports.
	rate                      uint32
	packets, octets, reported uint32
}

type dtmfJob struct {
	req     *SendDTMF
	plan    []dtmf.Packet
	next    int
	start   time.Time
	onset   uint32 // RTP timestamp at the plan's start
	replyTo *actor.PID
}

func (a *Actor) handleSendDTMF(ctx actor.Context, m *SendDTMF) {
	reply := func(err error) {
		if ctx.Sender() != nil {
			ctx.Respond(&SendDTMFResponse{Error: err.Error()})
		}
	}
	if a.cfg.Kind != Audio || m.Remote == nil {
		reply(fmt.Errorf("%w: DTMF goes on an audio line with a remote address", ErrNoDTMF))
		return
	}
	timing := m.Timing
	if timing == (dtmf.Timing{}) {
		timing = dtmf.DefaultTiming()
	}
	if m.ClockRate != 0 {
		timing.ClockRate = m.ClockRate
	}
	plan, err := dtmf.Plan(m.Digits, timing)
	if err != nil {
		reply(fmt.Errorf("%w: %w", ErrNoDTMF, err))
		return
	}
	if a.dtmf == nil {
		a.dtmf = &dtmfSender{seq: uint16(rand.Uint32()), base: rand.Uint32(), epoch: a.cfg.Now()}
	}
	a.dtmf.queue = append(a.dtmf.queue, &dtmfJob{req: m, plan: plan, replyTo: ctx.Sender()})
	if len(a.dtmf.queue) == 1 {
		a.startDTMF(ctx)
	}
}

func (a *Actor) startDTMF(ctx actor.Context) {
	s := a.dtmf
	job := s.queue[0]
	job.start = a.cfg.Now()
	if job.start.Before(s.free) {
		job.start = s.free
	}
	elapsed := job.start.Sub(s.epoch)
	job.onset = s.base + uint32(elapsed.Seconds()*float64(job.req.clockRate()))
	a.log.Info("sending DTMF", "type", "RFC2833", "digits", job.req.Digits, "pt", job.req.PayloadType, "to", job.req.Remote)
	a.playDTMF(ctx)
}

// playDTMF sends every packet that is due, then waits for the next one (or finishes the job).
func (a *Actor) playDTMF(ctx actor.Context) {
	s := a.dtmf
	job := s.queue[0]
	now := a.cfg.Now()
	for job.next < len(job.plan) && !job.start.Add(job.plan[job.next].At).After(now) {
		if err := a.writeEvent(job, job.plan[job.next]); err != nil {
			a.finishDTMF(ctx, err)
			return
		}
		job.next++
	}
	if job.next == len(job.plan) {
		s.free = now.Add(job.plan[len(job.plan)-1].At - job.plan[len(job.plan)-2].At)
		metrics.DTMFSent.With("RFC2833").Add(uint64(len(job.req.Digits)))
		a.finishDTMF(ctx, nil)
		return
	}
	s.gen++
	gen, root, self := s.gen, a.system.Root, a.self
	s.timer = time.AfterFunc(job.start.Add(job.plan[job.next].At).Sub(now), func() {
		root.Send(self, &dtmfTick{gen: gen})
	})
}

func (a *Actor) handleDTMFTick(ctx actor.Context, m *dtmfTick) {
	if a.dtmf == nil || m.gen != a.dtmf.gen || len(a.dtmf.queue) == 0 {
		return
	}
	a.playDTMF(ctx)
}

func (a *Actor) writeEvent(job *dtmfJob, p dtmf.Packet) error {
	pkt := pionrtp.Packet{
		Header: pionrtp.Header{Version: 2, Marker: p.Marker, PayloadType: job.req.PayloadType,
			SequenceNumber: a.dtmf.seq, Timestamp: job.onset + p.Onset, SSRC: a.ssrc},
		Payload: p.Payload.Marshal(make([]byte, 0, dtmf.PayloadSize)),
	}
	a.dtmf.seq++
	a.dtmf.sent(len(pkt.Payload))
	buf, err := pkt.Marshal()
	if err != nil {
		return err
	}
	_, err = a.cfg.Pair.RTP.WriteToUDP(buf, job.req.Remote)
	return err
}

// finishDTMF answers the job's requester and starts the next job.
func (a *Actor) finishDTMF(ctx actor.Context, err error) {
	s := a.dtmf
	job := s.queue[0]
	s.queue[0] = nil
	s.queue = s.queue[1:]
	res := &SendDTMFResponse{}
	if err != nil {
		res.Error = fmt.Sprintf("%v: %v", ErrNoDTMF, err)
		a.log.Warn("DTMF not sent", "digits", job.req.Digits, "err", err)
	}
	if job.replyTo != nil {
		ctx.Send(job.replyTo, res)
	}
	if len(s.queue) > 0 {
		a.startDTMF(ctx)
	}
}

// stopDTMF ends the timer and answers the waiting requesters: the actor is stopping.
func (a *Actor) stopDTMF() {
	if a.dtmf == nil {
		return
	}
	if a.dtmf.timer != nil {
		a.dtmf.timer.Stop()
	}
	for _, job := range a.dtmf.queue {
		if job.replyTo != nil {
			a.system.Root.Send(job.replyTo, &SendDTMFResponse{Error: fmt.Sprintf("%v: the media line stopped", ErrNoDTMF)})
		}
	}
	a.dtmf = nil
}

func (m *SendDTMF) clockRate() uint32 {
	if m.ClockRate != 0 {
		return m.ClockRate
	}
	return 8000
}

// sent counts one packet of n payload octets for the sender reports.
func (s *dtmfSender) sent(n int) {
	s.packets++
	s.octets += uint32(n)
}
