package dtmf

import (
	"fmt"
	"time"
)

// EndRepeats is how often the final packet of an event is sent: RFC 4733 §2.5.1.4 asks for
// three, at the normal packet interval, so one lost packet does not leave the tone playing.
const EndRepeats = 3

// Timing says how digits are played as telephone events.
type Timing struct {
	ClockRate uint32        // RTP clock of the telephone-event format; 8000
	Interval  time.Duration // packet interval (the audio ptime); 20 ms
	Tone      time.Duration // how long each digit sounds; 100 ms
	// Gap is the silence from one tone's end to the next tone's onset. It is at least the time
	// the end packets take, so two events never interleave; 60 ms.
	Gap time.Duration
}

// DefaultTiming is what sipcast sends: 100 ms tones 60 ms apart (ITU-T Q.24 asks for 40 ms of
// each at least), a packet every 20 ms.
func DefaultTiming() Timing {
	return Timing{ClockRate: 8000, Interval: 20 * time.Millisecond, Tone: 100 * time.Millisecond, Gap: 60 * time.Millisecond}
}

// maxTone keeps the duration field inside 16 bits at 48 kHz.
const maxTone = time.Second

// Packet is one packet of a plan.
type Packet struct {
	// At is when to send it, from the plan's start.
	At time.Duration
	// Onset is the RTP timestamp of the event's start, in clock units from the plan's start:
	// every packet of one event carries the same timestamp (RFC 4733 §2.3.1).
	Onset uint32
	// Marker is set on the first packet of each event (RFC 4733 §2.5.1.1).
	Marker  bool
	Payload Payload
}

// Plan lays out the packets that play digits (already Normalized) with t: for each digit,
// a packet every interval with the duration so far, then EndRepeats end packets.
func Plan(digits string, t Timing) ([]Packet, error) {
	if err := t.validate(); err != nil {
		return nil, err
	}
	if digits == "" {
		return nil, ErrNoDigits
	}
	n := int((t.Tone + t.Interval - 1) / t.Interval) // packets while the tone sounds
	units := func(d time.Duration) uint32 { return uint32(int64(d) * int64(t.ClockRate) / int64(time.Second)) }
	total := uint16(units(t.Tone))
	out := make([]Packet, 0, len(digits)*(n+EndRepeats))
	var onset time.Duration
	for i := 0; i < len(digits); i++ {
		ev, ok := EventOf(digits[i])
		if !ok {
			return nil, fmt.Errorf("%w: %q", ErrInvalidDigit, digits[i])
		}
		ts := units(onset)
		for k := 0; k < n; k++ {
			d := min(time.Duration(k+1)*t.Interval, t.Tone)
			out = append(out, Packet{At: onset + time.Duration(k)*t.Interval, Onset: ts, Marker: k == 0,
				Payload: Payload{Event: ev, Volume: DefaultVolume, Duration: uint16(units(d))}})
		}
		for k := 0; k < EndRepeats; k++ {
			out = append(out, Packet{At: onset + time.Duration(n+k)*t.Interval, Onset: ts,
				Payload: Payload{Event: ev, End: true, Volume: DefaultVolume, Duration: total}})
		}
		onset += t.Tone + t.Gap
	}
	return out, nil
}

// Length is how long playing n digits takes, up to the last end packet.
func (t Timing) Length(n int) time.Duration {
	if n <= 0 || t.Interval <= 0 {
		return 0
	}
	packets := int((t.Tone + t.Interval - 1) / t.Interval)
	return time.Duration(n-1)*(t.Tone+t.Gap) + time.Duration(packets+EndRepeats-1)*t.Interval
}

func (t Timing) validate() error {
	switch {
	case t.ClockRate == 0 || t.ClockRate > 48000:
		return fmt.Errorf("dtmf: clock rate %d", t.ClockRate)
	case t.Interval < time.Millisecond || t.Interval > 100*time.Millisecond:
		return fmt.Errorf("dtmf: packet interval %v", t.Interval)
	case t.Tone < t.Interval || t.Tone > maxTone:
		return fmt.Errorf("dtmf: tone %v", t.Tone)
	case t.Gap < EndRepeats*t.Interval:
		return fmt.Errorf("dtmf: gap %v shorter than the end packets (%v)", t.Gap, EndRepeats*t.Interval)
	}
	return nil
}
