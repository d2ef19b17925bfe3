package sdp

import "strings"

// TelephoneEvent returns the answer's RFC 4733 telephone-event format at clockRate (the audio
// codec's rate: events share its RTP clock), if the peer accepted one. Its payload type is the
// one to send with: the answerer's numbering is what it expects to receive.
func (m *Media) TelephoneEvent(clockRate uint32) (Codec, bool) {
	if m == nil {
		return Codec{}, false
	}
	for _, c := range m.Codecs {
		if strings.EqualFold(c.Name, NameTelephoneEvent) && c.ClockRate == clockRate {
			return c, true
		}
	}
	return Codec{}, false
}
