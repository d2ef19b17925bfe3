package rtp

import (
	"time"

	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/media/jitter"
)

// jitterSize is the packets the buffer holds: at 90 kHz video a few hundred packets a second;
// 512 holds over a second of them, far more than the depth lets wait.
const jitterSize = 512

// held is a packet waiting in the jitter buffer, by value: a packet that goes straight through
// costs no allocation.
type held struct {
	pkt     pionrtp.Packet
	arrival time.Time
}

// jitterStage puts packets back in sequence order, asks the device for the missing ones (NACK)
// and gives up on a gap once it waited the buffer's depth. The timer that says so posts a
// jitterTick to the actor, which calls expire from its mailbox.
type jitterStage struct {
	jb      *jitter.Buffer[held]
	ssrc    uint32
	out     []jitter.Released[held]
	missing []uint16
	timer   *time.Timer
	armed   time.Time // the deadline the timer is set for
	next    stage
	now     func() time.Time
	nack    func(ssrc uint32, missing []uint16)
	tick    func() // posts a jitterTick to the actor
}

func newJitterStage(depth time.Duration, next stage, now func() time.Time,
	nack func(uint32, []uint16), tick func()) (*jitterStage, error) {
	jb, err := jitter.New[held](jitter.Config{Depth: depth, Size: jitterSize})
	if err != nil {
		return nil, err
	}
	return &jitterStage{jb: jb, next: next, now: now, nack: nack, tick: tick}, nil
}

func (s *jitterStage) push(pkt *pionrtp.Packet, arrival time.Time, _ int) {
	if pkt.SSRC != s.ssrc {
		// A new source shares no sequence numbers with the old one; what waited of the old one
		// is stale.
		s.jb.Reset()
		s.ssrc = pkt.SSRC
	}
	s.out = s.jb.Push(pkt.SequenceNumber, held{pkt: *pkt, arrival: arrival}, arrival, s.out[:0])
	s.missing = s.jb.Missing(s.missing[:0])
	if len(s.missing) > 0 {
		s.nack(pkt.SSRC, s.missing)
	}
	s.release()
}

func (s *jitterStage) expire() {
	s.armed = time.Time{}
	s.out = s.jb.Expire(s.now(), s.out[:0])
	s.release()
}

func (s *jitterStage) stop() {
	if s.timer != nil {
		s.timer.Stop()
	}
}

// release hands on what the buffer let out, and sets the timer for what still waits.
func (s *jitterStage) release() {
	for i := range s.out {
		r := &s.out[i]
		s.next.push(&r.Item.pkt, r.Item.arrival, r.Lost)
		r.Item = held{} // drop the payload reference
	}
	at, ok := s.jb.Deadline()
	if !ok || (!s.armed.IsZero() && !at.Before(s.armed)) {
		return
	}
	s.armed = at
	if s.timer != nil {
		s.timer.Stop()
	}
	s.timer = time.AfterFunc(max(at.Sub(s.now()), 0), s.tick)
}

// seqStage heads the path when the jitter buffer is off: packets go on as they arrive, and
// loss is seen from the sequence numbers.
type seqStage struct {
	next stage
	ssrc uint32
	last uint16
	has  bool
}

func (s *seqStage) push(pkt *pionrtp.Packet, arrival time.Time, _ int) {
	lost := 0
	if s.has && pkt.SSRC == s.ssrc {
		if gap := int(int16(pkt.SequenceNumber - s.last - 1)); gap > 0 {
			lost = gap
		}
	}
	s.last, s.has, s.ssrc = pkt.SequenceNumber, true, pkt.SSRC
	s.next.push(pkt, arrival, lost)
}

func (s *seqStage) expire() {}
func (s *seqStage) stop()   {}
