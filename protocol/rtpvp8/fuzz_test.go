package rtpvp8

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/pion/rtp"
)

// The fuzz input is a list of packets, each one control byte, a 16-bit
// payload length and the payload. Control bits: 0 marker, 1 new timestamp,
// 2-3 sequence increment (0 repeats the last number, 2 and 3 simulate loss).
const (
	ctlMarker = 1 << 0
	ctlNewTS  = 1 << 1
	ctlSeqSh  = 2
)

func encodeSteps(steps []step) []byte {
	var out []byte
	for i, s := range steps {
		var ctl byte
		if s.marker {
			ctl |= ctlMarker
		}
		if i > 0 {
			if s.ts != steps[i-1].ts {
				ctl |= ctlNewTS
			}
			ctl |= byte(min(uint16(3), s.seq-steps[i-1].seq)) << ctlSeqSh
		} else {
			ctl |= 1 << ctlSeqSh
		}
		payload := s.payload
		if len(payload) > 0xffff {
			payload = payload[:0xffff]
		}
		out = append(out, ctl)
		out = binary.BigEndian.AppendUint16(out, uint16(len(payload)))
		out = append(out, payload...)
	}
	return out
}

func decodeSteps(data []byte) []*rtp.Packet {
	var pkts []*rtp.Packet
	seq, ts := uint16(0), uint32(0)
	for len(data) >= 3 {
		ctl, n := data[0], int(binary.BigEndian.Uint16(data[1:]))
		data = data[3:]
		n = min(n, len(data))
		seq += uint16(ctl>>ctlSeqSh) & 3
		if ctl&ctlNewTS != 0 {
			ts += 3000
		}
		pkts = append(pkts, &rtp.Packet{
			Header:  rtp.Header{SequenceNumber: seq, Timestamp: ts, Marker: ctl&ctlMarker != 0},
			Payload: data[:n:n],
		})
		data = data[n:]
	}
	return pkts
}

// FuzzDepacketizer checks that no input panics, that the input is never
// modified, that frames stay within MaxFrameSize, and that a key frame
// always carries a picture size.
func FuzzDepacketizer(f *testing.F) {
	for _, tc := range depackCases {
		f.Add(encodeSteps(tc.steps))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		orig := bytes.Clone(data)
		var d Depacketizer
		for _, p := range decodeSteps(data) {
			fr, _ := d.Push(p)
			if len(fr.Data) > MaxFrameSize {
				t.Fatalf("frame of %d bytes", len(fr.Data))
			}
			if fr.Key && (fr.Width == 0 || fr.Height == 0) {
				t.Fatal("key frame without a size")
			}
			if fr.Data == nil && (fr.Key || fr.Width != 0) {
				t.Fatal("no frame, but frame fields set")
			}
		}
		if !bytes.Equal(data, orig) {
			t.Fatal("input modified")
		}
	})
}
