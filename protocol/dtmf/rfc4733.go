package dtmf

import (
	"encoding/binary"
	"fmt"
)

// PayloadSize is the size of one telephone-event payload (RFC 4733 §2.3).
const PayloadSize = 4

// DefaultVolume is the power level of the tone, in -dBm0 (RFC 4733 §2.3.4): 10 is the level
// most gateways send, well inside the 0-36 range receivers accept.
const DefaultVolume = 10

// Payload is one RFC 4733 telephone-event payload:
//
//	event (8) | E (1) R (1) volume (6) | duration (16)
type Payload struct {
	Event  uint8
	End    bool
	Volume uint8 // 0-63; only the low 6 bits are sent
	// Duration is the event's length so far, in RTP timestamp units.
	Duration uint16
}

// Marshal appends the 4-byte payload to b.
func (p Payload) Marshal(b []byte) []byte {
	flags := p.Volume & 0x3f
	if p.End {
		flags |= 0x80
	}
	b = append(b, p.Event, flags)
	return binary.BigEndian.AppendUint16(b, p.Duration)
}

// Unmarshal reads a payload; bytes past the first four (redundant events) are ignored.
func (p *Payload) Unmarshal(b []byte) error {
	if len(b) < PayloadSize {
		return fmt.Errorf("%w: %d bytes", ErrShortPayload, len(b))
	}
	*p = Payload{Event: b[0], End: b[1]&0x80 != 0, Volume: b[1] & 0x3f, Duration: binary.BigEndian.Uint16(b[2:4])}
	return nil
}
