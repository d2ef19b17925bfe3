package rtp

import (
	"net"
	"testing"
	"time"

	pionrtcp "github.com/pion/rtcp"
	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/internal/metrics"
)

// A packet of a guard scenario: from where, with what header, after how long, and whether the
// guard must take it (and make its source the one taken).
type guardStep struct {
	from      string
	pt        uint8
	ssrc      uint32
	seq       uint16
	after     time.Duration
	ok, taken bool
	// negotiated is the payload type the SDP chose when the packet comes; 0: the packet's own
	// (telephone events and comfort noise aside, see pt).
	negotiated int
}

func run(from string, pt uint8, ssrc uint32, seq uint16, n int, lastOK bool) []guardStep {
	var out []guardStep
	for i := range n {
		last := i == n-1
		out = append(out, guardStep{from: from, pt: pt, ssrc: ssrc, seq: seq + uint16(i), ok: last && lastOK, taken: last && lastOK})
	}
	return out
}

func TestSourceGuard(t *testing.T) {
	const sdp, device, stranger, natted = "10.0.0.5:4000", "10.0.0.5:4000", "10.0.0.66:4000", "192.0.2.7:31000"
	cat := func(parts ...[]guardStep) []guardStep {
		var out []guardStep
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	for _, c := range []struct {
		name  string
		sdp   string
		latch bool
		steps []guardStep
	}{
		{name: "the SDP's address is taken at once", sdp: sdp, steps: []guardStep{
			{from: device, pt: 0, ssrc: 1, seq: 1, ok: true, taken: true},
			{from: device, pt: 13, ssrc: 1, seq: 2, ok: true},
		}},
		{name: "another address is dropped without latching, however long it sends", sdp: sdp,
			steps: run(stranger, 0, 7, 1, 10, false)},
		{name: "the first valid source at the SDP's IP is taken at once", sdp: sdp,
			steps: []guardStep{{from: "10.0.0.5:4002", pt: 0, ssrc: 3, seq: 1, ok: true, taken: true}}},
		{name: "a first packet of another payload type takes nothing", sdp: sdp, latch: true, steps: []guardStep{
			{from: natted, pt: 101, ssrc: 5, seq: 1},
			{from: natted, pt: 0, ssrc: 5, seq: 2, ok: true, taken: true},
		}},
		{name: "latching: the first valid source is taken at once (NAT)", sdp: sdp, latch: true,
			steps: []guardStep{{from: natted, pt: 0, ssrc: 5, seq: 100, ok: true, taken: true}}},
		// Issue #12: an SPS and an IDR from anywhere were enough to break the stream.
		{name: "a spoofer's two packets during the call are dropped", sdp: sdp, latch: true, steps: cat(
			[]guardStep{{from: device, pt: 96, ssrc: 1, seq: 1, ok: true, taken: true}},
			run(stranger, 96, 66, 1, 2, false),
			[]guardStep{{from: device, pt: 96, ssrc: 1, seq: 2, ok: true}},
		)},
		{name: "no takeover while the device sends", sdp: sdp, latch: true, steps: cat(
			[]guardStep{{from: device, pt: 0, ssrc: 1, seq: 1, ok: true, taken: true}},
			run(stranger, 0, 66, 1, 10, false),
			[]guardStep{{from: device, pt: 0, ssrc: 1, seq: 2, ok: true, after: 500 * time.Millisecond}},
			run(stranger, 0, 66, 11, 10, false),
		)},
		{name: "takeover once the device fell silent and the new source proved itself", sdp: sdp, latch: true, steps: cat(
			[]guardStep{{from: device, pt: 0, ssrc: 1, seq: 1, ok: true, taken: true}},
			[]guardStep{{from: natted, pt: 0, ssrc: 9, seq: 1, after: takeoverQuiet}},
			run(natted, 0, 9, 2, probation-1, true),
			// The signalled address speaking again takes its place back: the source that took
			// over may be a stranger who waited out a quiet second.
			[]guardStep{{from: device, pt: 0, ssrc: 1, seq: 2, ok: true, taken: true}},
			[]guardStep{{from: natted, pt: 0, ssrc: 9, seq: probation + 2}},
		)},
		{name: "takeover: a broken sequence starts over", sdp: sdp, latch: true, steps: cat(
			[]guardStep{{from: device, pt: 0, ssrc: 1, seq: 1, ok: true, taken: true}},
			[]guardStep{{from: natted, pt: 0, ssrc: 9, seq: 1, after: takeoverQuiet}},
			run(natted, 0, 9, 2, probation-2, false),
			run(natted, 0, 9, 200, probation, true),
		)},
		{name: "takeover: another SSRC starts over", sdp: sdp, latch: true, steps: cat(
			[]guardStep{{from: device, pt: 0, ssrc: 1, seq: 1, ok: true, taken: true}},
			[]guardStep{{from: natted, pt: 0, ssrc: 9, seq: 1, after: takeoverQuiet}},
			run(natted, 0, 9, 2, probation-2, false),
			run(natted, 0, 10, 3, probation, true),
		)},
		{name: "takeover: other payload types never prove a source", sdp: sdp, latch: true, steps: cat(
			[]guardStep{{from: device, pt: 0, ssrc: 1, seq: 1, ok: true, taken: true}},
			[]guardStep{{from: natted, pt: 101, ssrc: 9, seq: 1, after: takeoverQuiet}},
			run(natted, 101, 9, 2, 10, false),
		)},
		// A re-INVITE to another codec: the device's new encoder sends from a new port. Taken at
		// once, the old source is dropped from then on.
		{name: "a new codec from a new source is taken at once", sdp: sdp, steps: []guardStep{
			{from: device, pt: 0, ssrc: 1, seq: 1, ok: true, taken: true},
			{from: device, pt: 0, ssrc: 1, seq: 2, ok: true, negotiated: 111},
			{from: "10.0.0.5:4100", pt: 111, ssrc: 2, seq: 1, ok: true, taken: true},
			{from: device, pt: 0, ssrc: 1, seq: 3, negotiated: 111},
			{from: stranger, pt: 111, ssrc: 3, seq: 1},
		}},
		{name: "a new codec from the same source keeps it", sdp: sdp, latch: true, steps: []guardStep{
			{from: device, pt: 0, ssrc: 1, seq: 1, ok: true, taken: true},
			{from: device, pt: 111, ssrc: 1, seq: 2, ok: true},
			{from: natted, pt: 111, ssrc: 2, seq: 1},
		}},
		{name: "no SDP address: like latching", steps: []guardStep{
			{from: natted, pt: 0, ssrc: 5, seq: 1, ok: true, taken: true},
			{from: stranger, pt: 0, ssrc: 6, seq: 1},
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var g sourceGuard
			g.reset(addrOrNil(c.sdp), c.latch)
			now := time.Unix(1000, 0)
			dropped := uint64(0)
			for i, s := range c.steps {
				now = now.Add(20*time.Millisecond + s.after)
				h := pionrtp.Header{Version: 2, PayloadType: s.pt, SSRC: s.ssrc, SequenceNumber: s.seq}
				media := pt(s.pt)
				if s.negotiated != 0 {
					media = s.negotiated
				}
				ok, taken := g.admit(addrOrNil(s.from), &h, media, now)
				if ok != s.ok || taken != s.taken {
					t.Fatalf("step %d (%s seq %d): ok=%v taken=%v, want %v %v", i, s.from, s.seq, ok, taken, s.ok, s.taken)
				}
				if !ok {
					dropped++
				}
			}
			if g.dropped != dropped {
				t.Fatalf("dropped %d, counted %d", dropped, g.dropped)
			}
		})
	}
}

// pt is the negotiated payload type of a scenario: the media one its packets carry, telephone
// events (101) aside.
func pt(p uint8) int {
	if p == 101 || p == 13 {
		return 0
	}
	return int(p)
}

func addrOrNil(s string) *net.UDPAddr {
	if s == "" {
		return nil
	}
	a, err := net.ResolveUDPAddr("udp", s)
	if err != nil {
		panic(err)
	}
	return a
}

// A re-INVITE naming the same address keeps the source taken; a new address starts over.
func TestSourceGuardReset(t *testing.T) {
	var g sourceGuard
	g.reset(addrOrNil("10.0.0.5:4000"), true)
	now := time.Unix(1000, 0)
	h := pionrtp.Header{Version: 2, PayloadType: 0, SSRC: 1, SequenceNumber: 1}
	if ok, taken := g.admit(addrOrNil("192.0.2.7:31000"), &h, 0, now); !ok || !taken {
		t.Fatal("the first valid source was not taken")
	}
	g.reset(addrOrNil("10.0.0.5:4000"), true)
	if ok, taken := g.admit(addrOrNil("192.0.2.7:31000"), &h, 0, now); !ok || taken {
		t.Fatalf("after the same SDP again: ok=%v taken=%v", ok, taken)
	}
	g.reset(addrOrNil("10.0.0.9:4000"), false)
	if ok, _ := g.admit(addrOrNil("192.0.2.7:31000"), &h, 0, now); ok {
		t.Fatal("a new SDP address kept the old source")
	}
}

// Media from a stranger on a live line: nothing latches, no digit is taken, the silence keeps
// going to the device, and the drops are counted.
func TestStrangerIgnored(t *testing.T) {
	stranger, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer stranger.Close()
	h := newPeerHarness(t, func(dev *net.UDPAddr) *Peer {
		return &Peer{RTP: dev, Silence: true, SilenceCodec: "PCMU", SilencePT: 0, Latch: true, TelephoneEvent: 101}
	})
	before := metrics.RTPStrangers.Value()
	h.sendRun(t, h.dev, 0, 1, 1, 3) // the device, from its SDP address
	// The stranger: two media packets, then a digit (start and end), each from a fresh SSRC.
	h.send(t, &pionrtp.Packet{Header: pionrtp.Header{Version: 2, PayloadType: 0, SSRC: 66, SequenceNumber: 1}, Payload: make([]byte, 160)}, stranger)
	h.send(t, &pionrtp.Packet{Header: pionrtp.Header{Version: 2, PayloadType: 0, SSRC: 67, SequenceNumber: 9}, Payload: make([]byte, 160)}, stranger)
	for _, end := range []byte{0x0a, 0x8a} {
		h.send(t, &pionrtp.Packet{Header: pionrtp.Header{Version: 2, PayloadType: 101, SSRC: 68, SequenceNumber: 20},
			Payload: []byte{5, end, 0x03, 0x20}}, stranger)
	}
	select {
	case e := <-h.events:
		t.Fatalf("a stranger's packets made an event: %#v", e)
	case <-time.After(time.Second):
	}
	_ = h.dev.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, _, err := h.dev.ReadFromUDP(make([]byte, 1500)); err != nil {
		t.Fatalf("no silence at the device any more: %v", err)
	}
	_ = stranger.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if n, _, err := stranger.ReadFromUDP(make([]byte, 1500)); err == nil {
		t.Fatalf("%d bytes went to the stranger", n)
	}
	if got := metrics.RTPStrangers.Value() - before; got < 4 {
		t.Fatalf("%d drops counted, want 4", got)
	}
}

// RTCP from another IP address than the device's moves nothing: our RTCP keeps going where the
// SDP said, and the datagrams are counted as strangers'.
func TestStrangerRTCPIgnored(t *testing.T) {
	sdpRTCP := listenLoopback(t)
	stranger, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 2)})
	if err != nil {
		t.Fatal(err)
	}
	defer stranger.Close()
	conf := &Configure{Codec: "H264", PayloadType: 96, ClockRate: 90000, Zero: time.Now()}
	h := newLineHarness(t, Video, conf, func(dev *net.UDPAddr) *Peer {
		return &Peer{RTP: dev, RTCP: sdpRTCP.LocalAddr().(*net.UDPAddr), Latch: true, TelephoneEvent: -1}
	})
	h.sendRun(t, h.dev, 96, 9, 1, 2) // the device, from its SDP address: taken at once
	before := metrics.RTPStrangers.Value()
	rr, err := (&pionrtcp.ReceiverReport{SSRC: 66}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	ourRTCP := &net.UDPAddr{IP: h.to.IP, Port: h.to.Port + 1}
	for range 3 {
		if _, err := stranger.WriteToUDP(rr, ourRTCP); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for metrics.RTPStrangers.Value()-before < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("%d of 3 stranger's RTCP datagrams counted", metrics.RTPStrangers.Value()-before)
		}
		time.Sleep(10 * time.Millisecond)
	}
	drain(sdpRTCP)
	h.expectPLI(t, sdpRTCP, "still at the SDP's a=rtcp")
	_ = stranger.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if n, _, err := stranger.ReadFromUDP(make([]byte, 1500)); err == nil {
		t.Fatalf("%d bytes of RTCP went to the stranger", n)
	}
}
