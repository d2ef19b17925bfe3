// Package testmedia holds the reference media of the benchmark and the
// end-to-end tests (see README.md and gen.sh beside it) and a minimal reader
// for the RTP captures.
//
// The reader understands classic libpcap files (not pcapng), microsecond or
// nanosecond timestamps in either byte order, with Ethernet, Linux cooked
// (SLL, SLL2) or raw IPv4 link types, and returns the payloads of the
// unfragmented IPv4 UDP packets; everything else is skipped.
package clip

import (
	"encoding/binary"
	"fmt"
	"os"
	"time"
)

// Packet is one UDP datagram of a capture.
type Packet struct {
	// Time is the capture time since the first UDP packet of the file.
	Time time.Duration
	// Payload is the UDP payload (an RTP packet, for the captures here).
	Payload []byte
}

// Link types, from the tcpdump.org registry.
const (
	linkEthernet = 1
	linkRawIPv4  = 101 // LINKTYPE_RAW: starts with the IP header
	linkSLL      = 113 // Linux cooked capture v1
	linkSLL2     = 276 // Linux cooked capture v2
)

const (
	fileHeaderLen   = 24
	recordHeaderLen = 16

	magicMicros = 0xa1b2c3d4
	magicNanos  = 0xa1b23c4d

	etherTypeIPv4 = 0x0800
	etherTypeVLAN = 0x8100 // 802.1Q tag: 4 bytes before the real EtherType
	protoUDP      = 17
)

// ReadPCAP reads the capture at path; see ParsePCAP.
func ReadPCAP(path string) ([]Packet, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pkts, err := ParsePCAP(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return pkts, nil
}

// ParsePCAP decodes a capture held in memory. The payloads returned alias b.
func ParsePCAP(b []byte) ([]Packet, error) {
	if len(b) < fileHeaderLen {
		return nil, ErrNotPCAP
	}
	var order binary.ByteOrder
	var nanos bool
	switch {
	case binary.LittleEndian.Uint32(b) == magicMicros:
		order = binary.LittleEndian
	case binary.BigEndian.Uint32(b) == magicMicros:
		order = binary.BigEndian
	case binary.LittleEndian.Uint32(b) == magicNanos:
		order, nanos = binary.LittleEndian, true
	case binary.BigEndian.Uint32(b) == magicNanos:
		order, nanos = binary.BigEndian, true
	default:
		return nil, ErrNotPCAP
	}
	// The link type sits in the low 16 bits; the upper bits may carry FCS flags.
	link := order.Uint32(b[20:]) & 0xffff

	var pkts []Packet
	var first time.Duration
	for off := fileHeaderLen; off < len(b); {
		if len(b)-off < recordHeaderLen {
			return nil, fmt.Errorf("%w: record header at byte %d", ErrTruncated, off)
		}
		sec := order.Uint32(b[off:])
		frac := order.Uint32(b[off+4:])
		inclLen := int(order.Uint32(b[off+8:]))
		origLen := int(order.Uint32(b[off+12:]))
		off += recordHeaderLen
		if inclLen > len(b)-off {
			return nil, fmt.Errorf("%w: record of %d bytes at byte %d", ErrTruncated, inclLen, off)
		}
		frame := b[off : off+inclLen]
		off += inclLen

		ip, err := ipPayload(link, frame)
		if err != nil {
			return nil, err
		}
		if inclLen < origLen && len(ip) >= 20 && ip[9] == protoUDP {
			return nil, fmt.Errorf("%w: UDP packet cut from %d to %d bytes", ErrTruncated, origLen, inclLen)
		}
		payload, ok := udpPayload(ip)
		if !ok {
			continue
		}
		ts := time.Duration(sec) * time.Second
		if nanos {
			ts += time.Duration(frac)
		} else {
			ts += time.Duration(frac) * time.Microsecond
		}
		if len(pkts) == 0 {
			first = ts
		}
		pkts = append(pkts, Packet{Time: ts - first, Payload: payload})
	}
	return pkts, nil
}

// ipPayload strips the link-layer header; it returns nil for frames that
// do not carry IPv4.
func ipPayload(link uint32, frame []byte) ([]byte, error) {
	switch link {
	case linkEthernet:
		if len(frame) < 14 {
			return nil, nil
		}
		etype, rest := binary.BigEndian.Uint16(frame[12:]), frame[14:]
		for etype == etherTypeVLAN && len(rest) >= 4 {
			etype, rest = binary.BigEndian.Uint16(rest[2:]), rest[4:]
		}
		if etype != etherTypeIPv4 {
			return nil, nil
		}
		return rest, nil
	case linkSLL:
		// 16 bytes: packet type, ARPHRD, address length, 8 address bytes, protocol.
		if len(frame) < 16 || binary.BigEndian.Uint16(frame[14:]) != etherTypeIPv4 {
			return nil, nil
		}
		return frame[16:], nil
	case linkSLL2:
		// 20 bytes, the protocol first.
		if len(frame) < 20 || binary.BigEndian.Uint16(frame) != etherTypeIPv4 {
			return nil, nil
		}
		return frame[20:], nil
	case linkRawIPv4:
		return frame, nil
	default:
		return nil, fmt.Errorf("%w: %d", ErrLinkType, link)
	}
}

// udpPayload returns the payload of an unfragmented IPv4 UDP packet.
func udpPayload(ip []byte) ([]byte, bool) {
	if len(ip) < 20 || ip[0]>>4 != 4 {
		return nil, false
	}
	ihl := int(ip[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(ip[2:]))
	if ihl < 20 || total < ihl || total > len(ip) {
		return nil, false
	}
	// More-fragments flag or a fragment offset: not a whole datagram.
	if binary.BigEndian.Uint16(ip[6:])&0x3fff != 0 || ip[9] != protoUDP {
		return nil, false
	}
	udp := ip[ihl:total]
	if len(udp) < 8 {
		return nil, false
	}
	ulen := int(binary.BigEndian.Uint16(udp[4:]))
	if ulen < 8 || ulen > len(udp) {
		return nil, false
	}
	return udp[8:ulen], true
}
