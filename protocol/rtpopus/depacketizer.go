package rtpopus

import "github.com/pion/rtp"

// Packet is one Opus packet out of RTP.
type Packet struct {
	// Data is the Opus packet. It aliases the RTP packet's payload: copy it
	// before reusing that buffer.
	Data []byte
	// TS is the RTP timestamp (48 kHz) of its first sample.
	TS   uint32
	Info Info
	// Lost is how many packets went missing just before this one (a sequence
	// gap): the decoder conceals that many, or the caller fills silence.
	Lost int
}

// maxLostReported caps Lost: a gap longer than this is a restart or an
// outage, not something to conceal packet by packet.
const maxLostReported = 50

// Depacketizer checks Opus RTP packets of one SSRC and reports gaps. The zero
// value is ready to use. It is not safe for concurrent use.
type Depacketizer struct {
	seq    uint16
	hasSeq bool
}

// Push returns the packet's Opus data; ok is false for a network duplicate, a
// packet without payload (DTX keep-alive or padding) and a malformed one, the
// last with ErrMalformed.
func (d *Depacketizer) Push(pkt *rtp.Packet) (p Packet, ok bool, err error) {
	if d.hasSeq && pkt.SequenceNumber == d.seq {
		return Packet{}, false, nil
	}
	lost := 0
	if d.hasSeq {
		gap := int(pkt.SequenceNumber - d.seq - 1)
		if gap > 0 && gap <= maxLostReported {
			lost = gap
		}
	}
	d.seq, d.hasSeq = pkt.SequenceNumber, true
	if len(pkt.Payload) == 0 {
		return Packet{}, false, nil
	}
	info, err := Parse(pkt.Payload)
	if err != nil {
		return Packet{}, false, err
	}
	return Packet{Data: pkt.Payload, TS: pkt.Timestamp, Info: info, Lost: lost}, true, nil
}

// Reset forgets the sequence tracking, as after an SSRC change.
func (d *Depacketizer) Reset() { *d = Depacketizer{} }
