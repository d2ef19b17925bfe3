package rtph264

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/pion/rtp"
)

func packet(s step) *rtp.Packet {
	return &rtp.Packet{
		Header:  rtp.Header{Version: 2, PayloadType: 96, SequenceNumber: s.seq, Timestamp: s.ts, Marker: s.marker, SSRC: 0x1234},
		Payload: s.payload,
	}
}

func TestDepacketizerCases(t *testing.T) {
	for _, c := range depackCases {
		t.Run(c.name, func(t *testing.T) {
			before := clonePayloads(c.steps)
			var d Depacketizer
			for i, s := range c.steps {
				got, ts, err := d.Push(packet(s))
				if !equalAU(got, s.wantAU) {
					t.Fatalf("step %d: au = %s, want %s", i, fmtAU(got), fmtAU(s.wantAU))
				}
				if got != nil && ts != s.wantTS {
					t.Fatalf("step %d: ts = %d, want %d", i, ts, s.wantTS)
				}
				checkErr(t, i, err, s.wantErr)
			}
			for i, s := range c.steps {
				if !bytes.Equal(s.payload, before[i]) {
					t.Fatalf("step %d: payload mutated", i)
				}
			}
		})
	}
}

func checkErr(t *testing.T, i int, err error, want []error) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("step %d: unexpected error %v", i, err)
		}
		return
	}
	for _, w := range want {
		if !errors.Is(err, w) {
			t.Fatalf("step %d: error %v, want %v", i, err, w)
		}
	}
}

func equalAU(a, b [][]byte) bool {
	return slices.EqualFunc(a, b, bytes.Equal) && (a == nil) == (b == nil)
}

func fmtAU(au [][]byte) string {
	if au == nil {
		return "nil"
	}
	s := "["
	for _, n := range au {
		s += fmt.Sprintf(" type%d/%dB", NALType(n[0]), len(n))
	}
	return s + " ]"
}

// The access unit must survive the caller reusing the packet buffer.
func TestAUOwnsItsBytes(t *testing.T) {
	var d Depacketizer
	buf := stapA(sps, pps)
	d.Push(&rtp.Packet{Header: rtp.Header{SequenceNumber: 1, Timestamp: 1}, Payload: buf})
	clear(buf)
	buf = slices.Clone(idr)
	got, _, err := d.Push(&rtp.Packet{Header: rtp.Header{SequenceNumber: 2, Timestamp: 1, Marker: true}, Payload: buf})
	clear(buf)
	if err != nil || !equalAU(got, au(sps, pps, idr)) {
		t.Fatalf("got %s, %v", fmtAU(got), err)
	}
}

func TestAUTooBigBytes(t *testing.T) {
	var d Depacketizer
	chunk := make([]byte, 1<<16)
	chunk[0], chunk[1] = 0x7c, fuStart|NALTypeIDR
	var sawErr bool
	seq := uint16(0)
	for range MaxAUSize/len(chunk) + 2 {
		_, _, err := d.Push(&rtp.Packet{Header: rtp.Header{SequenceNumber: seq, Timestamp: 1}, Payload: chunk})
		chunk[1] = NALTypeIDR // middle fragments from now on
		seq++
		if errors.Is(err, ErrAUTooBig) {
			sawErr = true
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if !sawErr {
		t.Fatal("no ErrAUTooBig")
	}
	got, _, err := d.Push(&rtp.Packet{Header: rtp.Header{SequenceNumber: seq, Timestamp: 1, Marker: true}, Payload: []byte{0x7c, fuEnd | NALTypeIDR, 1}})
	if got != nil || err != nil {
		t.Fatalf("rest of the overflowed unit: %s, %v", fmtAU(got), err)
	}
	got, _, err = d.Push(&rtp.Packet{Header: rtp.Header{SequenceNumber: seq + 1, Timestamp: 2, Marker: true}, Payload: idr})
	if err != nil || !equalAU(got, au(idr)) {
		t.Fatalf("next unit: %s, %v", fmtAU(got), err)
	}
}

func TestReset(t *testing.T) {
	var d Depacketizer
	d.Push(&rtp.Packet{Header: rtp.Header{SequenceNumber: 1, Timestamp: 1}, Payload: sei})
	d.Push(&rtp.Packet{Header: rtp.Header{SequenceNumber: 2, Timestamp: 1}, Payload: bigFrags[0]})
	d.Reset()
	// A new SSRC: unrelated sequence numbers and timestamp, no stale data.
	got, ts, err := d.Push(&rtp.Packet{Header: rtp.Header{SequenceNumber: 900, Timestamp: 77, Marker: true}, Payload: idr})
	if err != nil || ts != 77 || !equalAU(got, au(idr)) {
		t.Fatalf("got %s ts %d, %v", fmtAU(got), ts, err)
	}
}

// BenchmarkPushFUA measures the receive path of one access unit sent as
// twelve FU-A packets: parsing each packet from the wire and pushing it.
func BenchmarkPushFUA(b *testing.B) {
	frame := nal(NALTypeIDR, 12000)
	frags := fuA(frame, 1100)
	var wire [][]byte
	for i, f := range frags {
		p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96, SequenceNumber: uint16(i), Timestamp: 90000, SSRC: 1}, Payload: f}
		p.Marker = i == len(frags)-1
		raw, err := p.Marshal()
		if err != nil {
			b.Fatal(err)
		}
		wire = append(wire, raw)
	}
	var d Depacketizer
	var pkt rtp.Packet
	seq := uint16(0)
	b.ReportAllocs()
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		for _, raw := range wire {
			if err := pkt.Unmarshal(raw); err != nil {
				b.Fatal(err)
			}
			pkt.SequenceNumber = seq // keep the sequence continuous across iterations
			seq++
			au, _, err := d.Push(&pkt)
			if err != nil {
				b.Fatal(err)
			}
			if pkt.Marker && len(au) != 1 {
				b.Fatal("no access unit")
			}
		}
	}
}

// TestAUSurvivesLaterPackets: the gathering buffer is reused, so an access
// unit handed out must be a copy that later packets leave alone, and its NAL
// units must be capped, so that appending to one cannot overwrite the next.
func TestAUSurvivesLaterPackets(t *testing.T) {
	bigIDR := nal(NALTypeIDR, 3000)
	var d Depacketizer
	seq := uint16(0)
	push := func(ts uint32, marker bool, payload []byte) [][]byte {
		seq++
		got, _, err := d.Push(&rtp.Packet{Header: rtp.Header{SequenceNumber: seq, Timestamp: ts, Marker: marker}, Payload: payload})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	push(1, false, sps)
	push(1, false, pps)
	frags := fuA(bigIDR, 1000)
	var first [][]byte
	for i, f := range frags {
		first = push(1, i == len(frags)-1, f)
	}
	want := au(sps, pps, bigIDR)
	if !equalAU(first, want) {
		t.Fatalf("got %s", fmtAU(first))
	}
	first[0] = append(first[0], 0xff)           // a consumer that appends must not reach the PPS
	for i, f := range fuA(nal(1, 5000), 1000) { // type 1: a non-IDR slice
		push(2, i == 4, f)
	}
	if !equalAU(first[1:], want[1:]) || !bytes.Equal(first[0][:len(sps)], sps) {
		t.Fatal("a later access unit changed an earlier one")
	}
}

// TestPushAllocs: a packet costs no allocation; an access unit two (its
// bytes and its NAL unit list), however many packets and NAL units it has.
func TestPushAllocs(t *testing.T) {
	payloads := append([][]byte{stapA(sps, pps)}, fuA(nal(NALTypeIDR, 12000), 1100)...)
	pkts := make([]rtp.Packet, len(payloads))
	for i, p := range payloads {
		pkts[i] = rtp.Packet{Header: rtp.Header{Marker: i == len(payloads)-1}, Payload: p}
	}
	var d Depacketizer
	seq, ts := uint16(0), uint32(0)
	frame := func() {
		ts += 3000
		for i := range pkts {
			seq++
			pkts[i].SequenceNumber, pkts[i].Timestamp = seq, ts
			d.Push(&pkts[i])
		}
	}
	if n := testing.AllocsPerRun(10, frame); n != 2 {
		t.Fatalf("%.0f allocs for an access unit of %d packets, want 2", n, len(pkts))
	}
}
