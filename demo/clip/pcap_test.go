package clip

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
	"time"
)

// record is one frame of a synthetic capture.
type record struct {
	at      time.Duration
	frame   []byte
	origLen int // 0: len(frame)
}

// buildPCAP writes a classic pcap file.
func buildPCAP(order binary.ByteOrder, nanos bool, link uint32, recs []record) []byte {
	var buf bytes.Buffer
	magic := uint32(magicMicros)
	if nanos {
		magic = magicNanos
	}
	hdr := make([]byte, fileHeaderLen)
	order.PutUint32(hdr, magic)
	order.PutUint16(hdr[4:], 2)
	order.PutUint16(hdr[6:], 4)
	order.PutUint32(hdr[16:], 65535)
	order.PutUint32(hdr[20:], link)
	buf.Write(hdr)
	for _, r := range recs {
		rh := make([]byte, recordHeaderLen)
		base := time.Duration(1700000000) * time.Second
		ts := base + r.at
		order.PutUint32(rh, uint32(ts/time.Second))
		if nanos {
			order.PutUint32(rh[4:], uint32(ts%time.Second))
		} else {
			order.PutUint32(rh[4:], uint32(ts%time.Second/time.Microsecond))
		}
		orig := r.origLen
		if orig == 0 {
			orig = len(r.frame)
		}
		order.PutUint32(rh[8:], uint32(len(r.frame)))
		order.PutUint32(rh[12:], uint32(orig))
		buf.Write(rh)
		buf.Write(r.frame)
	}
	return buf.Bytes()
}

// ipv4UDP builds an IPv4 packet; flags is the flags+fragment-offset field.
func ipv4UDP(proto byte, flags uint16, payload []byte) []byte {
	udp := make([]byte, 8+len(payload))
	binary.BigEndian.PutUint16(udp, 40000)
	binary.BigEndian.PutUint16(udp[2:], 5004)
	binary.BigEndian.PutUint16(udp[4:], uint16(len(udp)))
	copy(udp[8:], payload)
	ip := make([]byte, 20, 20+len(udp))
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(20+len(udp)))
	binary.BigEndian.PutUint16(ip[6:], flags)
	ip[8] = 64
	ip[9] = proto
	copy(ip[12:], []byte{127, 0, 0, 1, 127, 0, 0, 1})
	return append(ip, udp...)
}

func ethernet(etype uint16, vlan bool, payload []byte) []byte {
	f := make([]byte, 12)
	if vlan {
		f = binary.BigEndian.AppendUint16(f, etherTypeVLAN)
		f = binary.BigEndian.AppendUint16(f, 7)
	}
	f = binary.BigEndian.AppendUint16(f, etype)
	f = append(f, payload...)
	// Short frames are padded to 60 bytes on the wire.
	for len(f) < 60 {
		f = append(f, 0)
	}
	return f
}

func sll(payload []byte) []byte {
	f := make([]byte, 14)
	f = binary.BigEndian.AppendUint16(f, etherTypeIPv4)
	return append(f, payload...)
}

func sll2(payload []byte) []byte {
	f := make([]byte, 20)
	binary.BigEndian.PutUint16(f, etherTypeIPv4)
	return append(f, payload...)
}

func TestParsePCAP(t *testing.T) {
	p1, p2 := []byte("rtp-one"), []byte("rtp-two")
	cases := []struct {
		name  string
		order binary.ByteOrder
		nanos bool
		link  uint32
		recs  []record
	}{
		{"ethernet", binary.LittleEndian, false, linkEthernet, []record{
			{0, ethernet(etherTypeIPv4, false, ipv4UDP(protoUDP, 0x4000, p1)), 0},
			{5 * time.Millisecond, ethernet(0x0806, false, []byte("arp")), 0},
			{10 * time.Millisecond, ethernet(etherTypeIPv4, false, ipv4UDP(1, 0, []byte("icmp"))), 0},
			{20 * time.Millisecond, ethernet(etherTypeIPv4, false, ipv4UDP(protoUDP, 0x2000, []byte("frag"))), 0},
			{40 * time.Millisecond, ethernet(etherTypeIPv4, true, ipv4UDP(protoUDP, 0, p2)), 0},
		}},
		{"sll big-endian nanos", binary.BigEndian, true, linkSLL, []record{
			{time.Second, sll(ipv4UDP(protoUDP, 0, p1)), 0},
			{time.Second + 40*time.Millisecond, sll(ipv4UDP(protoUDP, 0, p2)), 0},
		}},
		{"sll2", binary.LittleEndian, true, linkSLL2, []record{
			{0, sll2(ipv4UDP(protoUDP, 0, p1)), 0},
			{40 * time.Millisecond, sll2(ipv4UDP(protoUDP, 0, p2)), 0},
		}},
		{"raw", binary.BigEndian, false, linkRawIPv4, []record{
			{0, ipv4UDP(protoUDP, 0, p1), 0},
			{40 * time.Millisecond, ipv4UDP(protoUDP, 0, p2), 0},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := buildPCAP(c.order, c.nanos, c.link, c.recs)
			orig := bytes.Clone(in)
			pkts, err := ParsePCAP(in)
			if err != nil {
				t.Fatal(err)
			}
			if len(pkts) != 2 {
				t.Fatalf("got %d packets, want 2", len(pkts))
			}
			if !bytes.Equal(pkts[0].Payload, p1) || !bytes.Equal(pkts[1].Payload, p2) {
				t.Errorf("payloads %q %q", pkts[0].Payload, pkts[1].Payload)
			}
			if pkts[0].Time != 0 || pkts[1].Time != 40*time.Millisecond {
				t.Errorf("times %v %v, want 0 40ms", pkts[0].Time, pkts[1].Time)
			}
			if !bytes.Equal(in, orig) {
				t.Error("input modified")
			}
		})
	}
}

func TestParsePCAPErrors(t *testing.T) {
	good := buildPCAP(binary.LittleEndian, false, linkEthernet, []record{
		{0, ethernet(etherTypeIPv4, false, ipv4UDP(protoUDP, 0, []byte("rtp-payload"))), 0},
	})
	cut := ethernet(etherTypeIPv4, false, ipv4UDP(protoUDP, 0, make([]byte, 100)))
	cases := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrNotPCAP},
		{"pcapng", append([]byte{0x0a, 0x0d, 0x0d, 0x0a}, make([]byte, 40)...), ErrNotPCAP},
		{"link type", buildPCAP(binary.LittleEndian, false, 147, []record{{0, []byte("x"), 0}}), ErrLinkType},
		{"short record header", good[:fileHeaderLen+8], ErrTruncated},
		{"short record", good[:len(good)-3], ErrTruncated},
		{"snapped", buildPCAP(binary.LittleEndian, false, linkEthernet, []record{{0, cut[:80], len(cut)}}), ErrTruncated},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := ParsePCAP(c.in); !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}

func TestEmbedded(t *testing.T) {
	pkts, err := ParsePCAP(H264PCAP())
	if err != nil {
		t.Fatal(err)
	}
	if len(pkts) < 300 {
		t.Errorf("h264.pcap: %d packets, want a few hundred", len(pkts))
	}
	if d := pkts[len(pkts)-1].Time; d < 14*time.Second || d > 16*time.Second {
		t.Errorf("h264.pcap spans %v, want ~15s", d)
	}
	if n := len(ToneUlaw()); n != 15*8000 {
		t.Errorf("tone.ulaw: %d bytes, want %d", n, 15*8000)
	}
}

func BenchmarkParsePCAP(b *testing.B) {
	b.ReportAllocs()
	in := H264PCAP()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, err := ParsePCAP(in); err != nil {
			b.Fatal(err)
		}
	}
}
