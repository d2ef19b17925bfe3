package rtp

import (
	"time"

	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/protocol/dtmf"
)

// eventFlushAfter is how long an event may go without an end packet before it is reported
// anyway: RFC 4733 senders repeat the end three times, so losing all of them is rare, and a digit
// a second late beats a digit lost.
const eventFlushAfter = time.Second

// eventReceiver turns RFC 4733 telephone-event packets into digits. An event is one RTP
// timestamp of one SSRC (§2.5.1.3): its packets repeat as the tone goes on and its end packet
// is sent three times; the digit is reported once, at its first end packet, with its duration.
// A plain struct: the actor feeds it from its mailbox.
type eventReceiver struct {
	started   bool // an event was seen: ssrc and ts name it
	ssrc, ts  uint32
	open      bool // the event is a digit not reported yet
	digit     byte
	duration  uint16
	clockRate uint32 // of the events; 0 means 8000
	last      time.Time
}

// push takes one telephone-event packet arriving at now; it returns the digits it completes:
// none, the current one at its end, or also the previous one when that never ended.
func (r *eventReceiver) push(pkt *pionrtp.Packet, now time.Time) []DTMFReceived {
	var p dtmf.Payload
	if err := p.Unmarshal(pkt.Payload); err != nil {
		return nil
	}
	var out []DTMFReceived
	if !r.started || pkt.SSRC != r.ssrc || pkt.Timestamp != r.ts {
		if d, ok := r.take(); ok {
			out = append(out, d)
		}
		digit, ok := dtmf.DigitOf(p.Event)
		r.started, r.ssrc, r.ts, r.digit, r.open, r.duration = true, pkt.SSRC, pkt.Timestamp, digit, ok, 0
	}
	if !r.open {
		return out
	}
	r.last = now
	r.duration = max(r.duration, p.Duration)
	if p.End {
		if d, ok := r.take(); ok {
			out = append(out, d)
		}
	}
	return out
}

// take reports the open event, if any, and closes it: its later packets are repeats.
func (r *eventReceiver) take() (DTMFReceived, bool) {
	if !r.open {
		return DTMFReceived{}, false
	}
	r.open = false
	rate := r.clockRate
	if rate == 0 {
		rate = 8000
	}
	return DTMFReceived{Digit: r.digit, Duration: time.Duration(r.duration) * time.Second / time.Duration(rate)}, true
}

// flush reports an open event whose packets stopped without an end.
func (r *eventReceiver) flush(now time.Time) (DTMFReceived, bool) {
	if !r.open || now.Sub(r.last) < eventFlushAfter {
		return DTMFReceived{}, false
	}
	return r.take()
}
