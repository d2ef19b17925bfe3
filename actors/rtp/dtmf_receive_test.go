package rtp

import (
	"testing"
	"time"

	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/protocol/dtmf"
)

type evPkt struct {
	ssrc, ts uint32
	event    uint8
	end      bool
	dur      uint16
}

// eventCases is shared by the receiver's table test and its fuzz seeds: packet sequences and the
// digits they must give, in order.
var eventCases = []struct {
	name string
	pkts []evPkt
	want string
}{
	{"one digit, three ends", []evPkt{{1, 100, 1, false, 160}, {1, 100, 1, false, 320}, {1, 100, 1, true, 400}, {1, 100, 1, true, 400}, {1, 100, 1, true, 400}}, "1"},
	{"two digits", []evPkt{{1, 100, 2, false, 160}, {1, 100, 2, true, 800}, {1, 900, 3, false, 160}, {1, 900, 3, true, 800}}, "23"},
	{"end packets lost: the next event reports it", []evPkt{{1, 100, 4, false, 160}, {1, 900, 10, false, 160}, {1, 900, 10, true, 320}}, "4*"},
	{"only an end packet", []evPkt{{1, 100, 15, true, 800}}, "D"},
	{"flash and unknown events ignored", []evPkt{{1, 100, 16, false, 160}, {1, 100, 16, true, 800}, {1, 200, 40, true, 800}}, ""},
	{"a new SSRC with the same timestamp is a new event", []evPkt{{1, 100, 7, true, 800}, {2, 100, 7, true, 800}}, "77"},
	{"repeats after the end ignored", []evPkt{{1, 100, 9, true, 800}, {1, 100, 9, false, 960}, {1, 100, 9, true, 800}}, "9"},
}

func playEvents(r *eventReceiver, pkts []evPkt) string {
	var got []byte
	now := time.Unix(0, 0)
	for _, p := range pkts {
		pkt := &pionrtp.Packet{Header: pionrtp.Header{SSRC: p.ssrc, Timestamp: p.ts},
			Payload: dtmf.Payload{Event: p.event, End: p.end, Duration: p.dur}.Marshal(nil)}
		for _, d := range r.push(pkt, now) {
			got = append(got, d.Digit)
		}
	}
	return string(got)
}

func TestEventReceiver(t *testing.T) {
	for _, tc := range eventCases {
		t.Run(tc.name, func(t *testing.T) {
			if got := playEvents(&eventReceiver{}, tc.pkts); got != tc.want {
				t.Fatalf("digits %q, want %q", got, tc.want)
			}
		})
	}
	// An event whose ends are all lost is reported once its packets stop.
	r := &eventReceiver{}
	now := time.Unix(0, 0)
	pkt := &pionrtp.Packet{Header: pionrtp.Header{SSRC: 1, Timestamp: 5}, Payload: dtmf.Payload{Event: 6, Duration: 480}.Marshal(nil)}
	r.push(pkt, now)
	if _, ok := r.flush(now.Add(eventFlushAfter / 2)); ok {
		t.Fatal("flushed too early")
	}
	if d, ok := r.flush(now.Add(eventFlushAfter)); !ok || d.Digit != '6' || d.Duration != 60*time.Millisecond {
		t.Fatalf("flush: %+v %v", d, ok)
	}
	if _, ok := r.flush(now.Add(2 * eventFlushAfter)); ok {
		t.Fatal("flushed twice")
	}
}

func BenchmarkEventReceiver(b *testing.B) {
	r := &eventReceiver{}
	pkt := &pionrtp.Packet{Header: pionrtp.Header{SSRC: 1}, Payload: dtmf.Payload{Event: 1, Duration: 160}.Marshal(nil)}
	now := time.Now()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		pkt.Timestamp = uint32(i / 8) // eight packets an event, the last one an end
		pkt.Payload[1] = 0
		if i%8 == 7 {
			pkt.Payload[1] = 0x80
		}
		r.push(pkt, now)
	}
}

// FuzzEventReceiver: any payloads, in any order, give only valid digits, never more than one per
// packet plus one, and the input is never changed.
func FuzzEventReceiver(f *testing.F) {
	for _, tc := range eventCases {
		var b []byte
		for _, p := range tc.pkts {
			b = append(b, byte(p.ts), p.event, dtmf.Payload{End: p.end, Duration: p.dur}.Marshal(nil)[1], byte(p.dur>>8), byte(p.dur))
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r := &eventReceiver{}
		now := time.Unix(0, 0)
		n := 0
		for i := 0; i+5 <= len(b); i += 5 {
			payload := append([]byte(nil), b[i+1:i+5]...)
			orig := string(payload)
			pkt := &pionrtp.Packet{Header: pionrtp.Header{SSRC: 1, Timestamp: uint32(b[i])}, Payload: payload}
			out := r.push(pkt, now)
			if string(payload) != orig {
				t.Fatal("payload mutated")
			}
			if len(out) > 2 {
				t.Fatalf("%d digits from one packet", len(out))
			}
			for _, d := range out {
				if _, ok := dtmf.EventOf(d.Digit); !ok {
					t.Fatalf("digit %q", d.Digit)
				}
			}
			n += len(out)
		}
		if n > len(b)/5 {
			t.Fatalf("%d digits from %d packets", n, len(b)/5)
		}
	})
}
