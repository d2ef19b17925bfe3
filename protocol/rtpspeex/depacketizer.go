package rtpspeex

import (
	"fmt"

	"github.com/pion/rtp"
)

// FrameDuration is the length of one Speex frame at every rate, in ms.
const FrameDuration = 20

// MaxFrames bounds the frames of one packet: RFC 5574 leaves it open, real
// senders put 1 to 3 (20-60 ms); more than this is a broken packet.
const MaxFrames = 16

// maxLostReported caps Lost, as in rtpopus: longer gaps are outages.
const maxLostReported = 50

// Packet is one RTP packet's Speex data.
type Packet struct {
	// Data is the whole payload, as a Speex decoder takes it. It aliases the
	// RTP packet's payload.
	Data []byte
	// TS is the RTP timestamp of its first sample.
	TS uint32
	// Frames is the number of 20 ms frames; Samples their length at the
	// stream's clock rate.
	Frames, Samples int
	// Lost is how many packets went missing just before this one.
	Lost int
}

// Depacketizer checks the Speex RTP packets of one SSRC. Create it with
// NewDepacketizer; it is not safe for concurrent use.
type Depacketizer struct {
	frameSamples int
	seq          uint16
	hasSeq       bool
}

// NewDepacketizer makes a depacketizer for a stream of the given RTP clock
// rate: 8000 (narrowband) or 16000 (wideband).
func NewDepacketizer(clockRate int) (*Depacketizer, error) {
	if clockRate != 8000 && clockRate != 16000 {
		return nil, fmt.Errorf("%w: %d", ErrClockRate, clockRate)
	}
	return &Depacketizer{frameSamples: clockRate * FrameDuration / 1000}, nil
}

// Push returns the packet's Speex data; ok is false for a duplicate, an empty
// payload and a malformed one (the last with ErrMalformed).
func (d *Depacketizer) Push(pkt *rtp.Packet) (p Packet, ok bool, err error) {
	if d.hasSeq && pkt.SequenceNumber == d.seq {
		return Packet{}, false, nil
	}
	lost := 0
	if d.hasSeq {
		if gap := int(pkt.SequenceNumber - d.seq - 1); gap > 0 && gap <= maxLostReported {
			lost = gap
		}
	}
	d.seq, d.hasSeq = pkt.SequenceNumber, true
	if len(pkt.Payload) == 0 {
		return Packet{}, false, nil
	}
	n, err := Frames(pkt.Payload)
	if err != nil {
		return Packet{}, false, err
	}
	if n > MaxFrames {
		return Packet{}, false, fmt.Errorf("%w: %d frames", ErrMalformed, n)
	}
	return Packet{Data: pkt.Payload, TS: pkt.Timestamp, Frames: n, Samples: n * d.frameSamples, Lost: lost}, true, nil
}

// Reset forgets the sequence tracking, as after an SSRC change.
func (d *Depacketizer) Reset() { d.hasSeq = false }
