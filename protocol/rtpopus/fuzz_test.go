package rtpopus

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/pion/rtp"
)

// The fuzz input is a list of packets: a sequence increment byte, a length
// byte and the payload.
func encodeSteps(steps []step) []byte {
	var out []byte
	prev := uint16(0)
	for _, s := range steps {
		payload := s.payload[:min(len(s.payload), 255)]
		out = append(out, byte(s.seq-prev), byte(len(payload)))
		out = append(out, payload...)
		prev = s.seq
	}
	return out
}

// FuzzDepacketizer checks that no input panics or is modified, and that every
// packet returned lasts between one 2.5 ms frame and 120 ms.
func FuzzDepacketizer(f *testing.F) {
	for _, tc := range depackCases {
		f.Add(encodeSteps(tc.steps))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		all, orig := data, bytes.Clone(data)
		var d Depacketizer
		seq := uint16(0)
		for len(data) >= 2 {
			seq += uint16(data[0])
			n := min(int(data[1]), len(data)-2)
			payload := data[2 : 2+n : 2+n]
			data = data[2+n:]
			p, ok, _ := d.Push(&rtp.Packet{Header: rtp.Header{SequenceNumber: seq, Timestamp: binary.BigEndian.Uint32(append(payload, 0, 0, 0, 0))}, Payload: payload})
			if ok && (p.Info.Samples < 120 || p.Info.Samples > MaxPacketSamples || p.Lost > maxLostReported) {
				t.Fatalf("packet %+v", p.Info)
			}
		}
		if !bytes.Equal(all, orig) {
			t.Fatal("input modified")
		}
	})
}
