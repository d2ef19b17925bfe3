package rtp

import (
	"net"
	"testing"
	"time"

	pionrtp "github.com/pion/rtp"
)

// The fuzz input: a latching flag, then 4 bytes a packet: the source (low 2 bits: the SDP's
// exact address, another port at its IP, another IP, a NAT's), the payload type (0 or 101, and
// a codec switch to 111), the sequence step, and the time since the previous packet in 50 ms.
var fuzzSources = []*net.UDPAddr{
	{IP: net.IPv4(10, 0, 0, 5), Port: 4000},
	{IP: net.IPv4(10, 0, 0, 5), Port: 4002},
	{IP: net.IPv4(10, 0, 0, 66), Port: 4000},
	{IP: net.IPv4(192, 0, 2, 7), Port: 31000},
}

// FuzzSourceGuard checks the guard's promises whatever the packets: without latching nothing
// from another IP than the SDP's is ever taken; a packet is taken only from the source taken
// (which changes only when admit says so); and while the source taken keeps sending in the
// negotiated codec, no other one replaces it.
func FuzzSourceGuard(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 1, 2, 0, 1, 1, 0, 0, 1, 1})
	f.Add([]byte{1, 3, 0, 1, 1, 3, 0, 1, 1, 2, 0, 1, 30, 2, 0, 1, 1, 2, 0, 1, 1, 2, 0, 1, 1})
	f.Add([]byte{0, 0, 0, 1, 1, 1, 2, 1, 1, 0, 0, 1, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		latch := data[0]&1 == 1
		var g sourceGuard
		g.reset(fuzzSources[0], latch)
		now := time.Unix(1000, 0)
		seq := map[int]uint16{}
		media := 0
		for data = data[1:]; len(data) >= 4; data = data[4:] {
			src := int(data[0] & 3)
			pt := []uint8{0, 101, 111, 0}[data[1]&3]
			if data[1]&3 == 2 {
				media = 111 // a re-INVITE switched the codec
			}
			seq[src] += uint16(data[2] & 3)
			now = now.Add(time.Duration(data[3]) * 50 * time.Millisecond)
			from := fuzzSources[src]
			before, beforePT, beforeLast := g.taken, g.takenPT, g.lastTaken
			h := pionrtp.Header{Version: 2, PayloadType: pt, SSRC: uint32(src), SequenceNumber: seq[src]}
			ok, taken := g.admit(from, &h, media, now)
			if taken != (g.taken != before) && !(taken && before == nil) {
				t.Fatalf("taken=%v but the source went %v -> %v", taken, before, g.taken)
			}
			if ok && !sameAddr(from, g.taken) {
				t.Fatalf("admitted %v while %v is taken", from, g.taken)
			}
			if ok && !latch && !from.IP.Equal(fuzzSources[0].IP) {
				t.Fatalf("admitted %v without latching", from)
			}
			if taken && before != nil && beforePT == media && now.Sub(beforeLast) < takeoverQuiet {
				t.Fatalf("%v replaced %v, which sent in the codec %v ago", from, before, now.Sub(beforeLast))
			}
		}
	})
}
