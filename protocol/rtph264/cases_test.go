package rtph264

import (
	"encoding/binary"
	"slices"
)

// step is one packet pushed into a Depacketizer and what Push must return.
type step struct {
	seq     uint16
	ts      uint32
	marker  bool
	payload []byte

	wantAU  [][]byte // nil: no access unit comes out
	wantTS  uint32
	wantErr []error // each must match with errors.Is; empty: no error
}

// depackCase is a packet sequence. The table is shared by the unit tests and
// the fuzz target's seeds.
type depackCase struct {
	name  string
	steps []step
}

var (
	sps   = []byte{0x67, 0x42, 0xc0, 0x1f, 0xda, 0x01, 0x40, 0x16, 0xe8}
	pps   = []byte{0x68, 0xce, 0x3c, 0x80}
	sei   = nal(NALTypeSEI, 6)
	idr   = nal(NALTypeIDR, 40)
	slice = nal(1, 30)
	big   = nal(NALTypeIDR, 3000)
)

// nal builds a NAL unit of the given type with NRI 3 and n bytes of body.
func nal(typ byte, n int) []byte {
	b := make([]byte, 1+n)
	b[0] = 0x60 | typ
	for i := range n {
		b[1+i] = byte(i*7 + 1)
	}
	return b
}

// fuA cuts a NAL unit into FU-A payloads of at most chunk bytes of body.
func fuA(n []byte, chunk int) [][]byte {
	var out [][]byte
	body := n[1:]
	for off := 0; off < len(body); off += chunk {
		end := min(off+chunk, len(body))
		hdr := n[0] & 0x1f
		if off == 0 {
			hdr |= fuStart
		}
		if end == len(body) {
			hdr |= fuEnd
		}
		out = append(out, append([]byte{n[0]&0xe0 | typeFUA, hdr}, body[off:end]...))
	}
	return out
}

// stapA aggregates NAL units into one STAP-A payload.
func stapA(nals ...[]byte) []byte {
	p := []byte{0x78} // NRI 3, type 24
	for _, n := range nals {
		p = binary.BigEndian.AppendUint16(p, uint16(len(n)))
		p = append(p, n...)
	}
	return p
}

func au(nals ...[]byte) [][]byte { return nals }

// fuSteps turns FU-A payloads into consecutive steps at one timestamp, the
// last one carrying the marker and expecting want.
func fuSteps(firstSeq uint16, ts uint32, frags [][]byte, want [][]byte) []step {
	out := make([]step, len(frags))
	for i, f := range frags {
		out[i] = step{seq: firstSeq + uint16(i), ts: ts, payload: f}
	}
	last := &out[len(out)-1]
	last.marker, last.wantAU, last.wantTS = true, want, ts
	return out
}

// tooManyNALs overflows MaxAUNALs, then checks the next unit still works.
func tooManyNALs() []step {
	var out []step
	for i := range MaxAUNALs + 3 {
		s := step{seq: uint16(i), ts: 9000, payload: slice}
		if i == MaxAUNALs {
			s.wantErr = []error{ErrAUTooBig}
		}
		out = append(out, s)
	}
	out[len(out)-1].marker = true
	return append(out, step{seq: uint16(MaxAUNALs + 3), ts: 12000, marker: true, payload: idr, wantAU: au(idr), wantTS: 12000})
}

var bigFrags = fuA(big, 1000)

var depackCases = []depackCase{
	{"single NAL unit", []step{
		{seq: 1, ts: 3000, marker: true, payload: idr, wantAU: au(idr), wantTS: 3000},
	}},
	{"STAP-A with SPS, PPS and IDR", []step{
		{seq: 1, ts: 3000, marker: true, payload: stapA(sps, pps, idr), wantAU: au(sps, pps, idr), wantTS: 3000},
	}},
	{"STAP-A then single NAL units", []step{
		{seq: 10, ts: 3000, payload: stapA(sps, pps)},
		{seq: 11, ts: 3000, payload: sei},
		{seq: 12, ts: 3000, marker: true, payload: idr, wantAU: au(sps, pps, sei, idr), wantTS: 3000},
	}},
	{"FU-A start middle end", fuSteps(100, 6000, fuA(big, 1000), au(big))},
	{"FU-A start and end in one fragment", []step{
		{seq: 1, ts: 3000, marker: true, payload: []byte{0x7c, 0xc5, 9, 9}, wantAU: au([]byte{0x65, 9, 9}), wantTS: 3000},
	}},
	{"FU-A lost middle keeps the rest of the unit", []step{
		{seq: 1, ts: 3000, payload: stapA(sps, pps)},
		{seq: 2, ts: 3000, payload: bigFrags[0]},
		{seq: 4, ts: 3000, marker: true, payload: bigFrags[2], wantAU: au(sps, pps), wantTS: 3000, wantErr: []error{ErrFragmentLost}},
		{seq: 5, ts: 6000, marker: true, payload: slice, wantAU: au(slice), wantTS: 6000},
	}},
	{"FU-A lost start reported once", []step{
		{seq: 1, ts: 3000, marker: true, payload: slice, wantAU: au(slice), wantTS: 3000},
		{seq: 3, ts: 6000, payload: bigFrags[1], wantErr: []error{ErrFragmentLost}},
		{seq: 4, ts: 6000, marker: true, payload: bigFrags[2]},
		{seq: 5, ts: 9000, marker: true, payload: slice, wantAU: au(slice), wantTS: 9000},
	}},
	{"FU-A interrupted by another packet", []step{
		{seq: 1, ts: 3000, payload: bigFrags[0]},
		{seq: 2, ts: 3000, marker: true, payload: slice, wantAU: au(slice), wantTS: 3000, wantErr: []error{ErrFragmentLost}},
	}},
	{"FU-A cut by a new timestamp", []step{
		{seq: 1, ts: 3000, payload: sei},
		{seq: 2, ts: 3000, payload: bigFrags[0]},
		{seq: 3, ts: 6000, marker: true, payload: slice, wantAU: au(sei), wantTS: 3000, wantErr: []error{ErrFragmentLost}},
		{seq: 4, ts: 9000, marker: true, payload: slice, wantAU: au(slice), wantTS: 6000},
	}},
	{"marker-less timestamp change", []step{
		{seq: 1, ts: 3000, payload: slice},
		{seq: 2, ts: 6000, payload: sei, wantAU: au(slice), wantTS: 3000},
		{seq: 3, ts: 6000, marker: true, payload: slice, wantAU: au(sei, slice), wantTS: 6000},
	}},
	{"marker-less unit followed by a one-packet unit", []step{
		{seq: 1, ts: 3000, payload: sei},
		{seq: 2, ts: 6000, marker: true, payload: slice, wantAU: au(sei), wantTS: 3000},
		{seq: 3, ts: 9000, payload: idr, wantAU: au(slice), wantTS: 6000},
		{seq: 4, ts: 9000, marker: true, payload: sei, wantAU: au(idr, sei), wantTS: 9000},
	}},
	{"padding-only and empty payloads are skipped", []step{
		{seq: 1, ts: 3000, marker: true, payload: slice, wantAU: au(slice), wantTS: 3000},
		{seq: 2, ts: 4711, payload: nil},
		{seq: 3, ts: 4712, marker: true, payload: []byte{}},
		{seq: 4, ts: 6000, payload: bigFrags[0]},
		{seq: 5, ts: 6000, payload: nil},
		{seq: 6, ts: 6000, payload: bigFrags[1]},
		{seq: 7, ts: 6000, marker: true, payload: bigFrags[2], wantAU: au(big), wantTS: 6000},
	}},
	{"duplicate packet ignored", []step{
		{seq: 1, ts: 3000, payload: bigFrags[0]},
		{seq: 1, ts: 3000, payload: bigFrags[0]},
		{seq: 2, ts: 3000, payload: bigFrags[1]},
		{seq: 3, ts: 3000, marker: true, payload: bigFrags[2], wantAU: au(big), wantTS: 3000},
	}},
	{"sequence wraps around", []step{
		{seq: 65535, ts: 3000, payload: bigFrags[0]},
		{seq: 0, ts: 3000, payload: bigFrags[1]},
		{seq: 1, ts: 3000, marker: true, payload: bigFrags[2], wantAU: au(big), wantTS: 3000},
	}},
	{"truncated STAP-A length", []step{
		{seq: 1, ts: 3000, payload: sei},
		{seq: 2, ts: 3000, payload: []byte{0x78, 0x00, 0x09, 0x67, 0x42}, wantErr: []error{ErrMalformed}},
		{seq: 3, ts: 3000, payload: append(stapA(pps), 0x00), wantErr: []error{ErrMalformed}},
		{seq: 4, ts: 3000, payload: stapA(pps, []byte{}), wantErr: []error{ErrMalformed}},
		{seq: 5, ts: 3000, payload: []byte{0x78}, wantErr: []error{ErrMalformed}},
		{seq: 6, ts: 3000, marker: true, payload: slice, wantAU: au(sei, slice), wantTS: 3000},
	}},
	{"FU-A without header", []step{
		{seq: 1, ts: 3000, marker: true, payload: []byte{0x7c}, wantErr: []error{ErrMalformed}},
	}},
	{"interleaved-mode structures rejected", []step{
		{seq: 1, ts: 3000, payload: []byte{0x79, 0, 0, 0, 1, 0x65}, wantErr: []error{ErrUnsupportedPacketization}},
		{seq: 2, ts: 3000, payload: []byte{0x7a, 0, 0}, wantErr: []error{ErrUnsupportedPacketization}},
		{seq: 3, ts: 3000, payload: []byte{0x7b, 0, 0}, wantErr: []error{ErrUnsupportedPacketization}},
		{seq: 4, ts: 3000, payload: []byte{0x7d, 0x85, 0, 0}, wantErr: []error{ErrUnsupportedPacketization}},
		{seq: 5, ts: 3000, marker: true, payload: idr, wantAU: au(idr), wantTS: 3000},
	}},
	{"undefined NAL types ignored", []step{
		{seq: 1, ts: 3000, payload: []byte{0x00, 1}},
		{seq: 2, ts: 3000, payload: []byte{0x1e, 1}},
		{seq: 3, ts: 3000, payload: []byte{0x1f, 1}},
		{seq: 4, ts: 3000, marker: true, payload: slice, wantAU: au(slice), wantTS: 3000},
	}},
	{"too many NAL units", tooManyNALs()},
}

// clonePayloads snapshots a case's payloads to detect mutation.
func clonePayloads(steps []step) [][]byte {
	out := make([][]byte, len(steps))
	for i, s := range steps {
		out[i] = slices.Clone(s.payload)
	}
	return out
}
