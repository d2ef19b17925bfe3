package rtph264

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/pion/rtp"
)

// The fuzz input is a list of packets, each encoded as one control byte,
// a 16-bit payload length and the payload. Control bits: 0 marker,
// 1 new timestamp, 2-3 sequence increment (0 repeats the last number,
// 2 and 3 simulate loss).
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
		out = append(out, ctl)
		out = binary.BigEndian.AppendUint16(out, uint16(len(s.payload)))
		out = append(out, s.payload...)
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

var sentinels = []error{ErrFragmentLost, ErrAUTooBig, ErrUnsupportedPacketization, ErrMalformed}

// FuzzDepacketizer pushes arbitrary packet sequences and checks: no panic,
// payloads untouched, every error a sentinel, access units within the
// limits, made of non-empty NAL units that do not alias the packets, and
// never more output bytes than input bytes.
func FuzzDepacketizer(f *testing.F) {
	for _, c := range depackCases {
		if len(c.steps) <= 32 {
			f.Add(encodeSteps(c.steps))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pkts := decodeSteps(data)
		var d Depacketizer
		in, out := 0, 0
		for _, p := range pkts {
			orig := bytes.Clone(p.Payload)
			au, _, err := d.Push(p)
			if !bytes.Equal(orig, p.Payload) {
				t.Fatal("payload mutated")
			}
			if err != nil && !isSentinel(err) {
				t.Fatalf("error %v is no sentinel", err)
			}
			in += len(p.Payload)
			size := 0
			for _, n := range au {
				if len(n) == 0 {
					t.Fatal("empty NAL unit")
				}
				size += len(n)
			}
			if len(au) > MaxAUNALs || size > MaxAUSize {
				t.Fatalf("access unit of %d NAL units, %d bytes", len(au), size)
			}
			out += size
			if out > in {
				t.Fatalf("%d bytes out of %d in", out, in)
			}
			snapshot := cloneAU(au)
			clear(p.Payload)
			if !equalAU(au, snapshot) {
				t.Fatal("access unit aliases the packet")
			}
		}
	})
}

func isSentinel(err error) bool {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

func cloneAU(au [][]byte) [][]byte {
	if au == nil {
		return nil
	}
	out := make([][]byte, len(au))
	for i, n := range au {
		out[i] = bytes.Clone(n)
	}
	return out
}
