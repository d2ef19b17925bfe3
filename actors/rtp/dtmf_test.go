package rtp

import (
	"net"
	"testing"
	"time"

	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/protocol/dtmf"
)

// The audio actor sends RFC 4733 events to the device's RTP address: one SSRC, consecutive
// sequence numbers, one timestamp per event with the marker on its first packet, growing
// durations, three end packets; a second request's digits follow the first's, never mixed in.
func TestSendDTMF(t *testing.T) {
	h := newHarness(t, Audio, "PCMU", 0, 8000)
	dev, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	remote := dev.LocalAddr().(*net.UDPAddr)
	first := h.system.Root.RequestFuture(h.pid, &SendDTMF{Digits: "1#", PayloadType: 100, Remote: remote}, 5*time.Second)
	second := h.system.Root.RequestFuture(h.pid, &SendDTMF{Digits: "9", PayloadType: 100, Remote: remote}, 5*time.Second)

	var pkts []pionrtp.Packet
	buf := make([]byte, 1500)
	_ = dev.SetReadDeadline(time.Now().Add(5 * time.Second))
	for len(pkts) < 3*(5+dtmf.EndRepeats) {
		n, _, err := dev.ReadFromUDP(buf)
		if err != nil {
			t.Fatalf("after %d packets: %v", len(pkts), err)
		}
		var p pionrtp.Packet
		if err := p.Unmarshal(append([]byte(nil), buf[:n]...)); err != nil {
			t.Fatal(err)
		}
		pkts = append(pkts, p)
	}
	for _, f := range []any{first, second} {
		res, err := f.(interface{ Result() (any, error) }).Result()
		if err != nil || res.(*SendDTMFResponse).Error != "" {
			t.Fatalf("response %v %v", res, err)
		}
	}
	var events []uint8
	for i, p := range pkts {
		if p.PayloadType != 100 || p.SSRC != pkts[0].SSRC || p.SequenceNumber != pkts[0].SequenceNumber+uint16(i) {
			t.Fatalf("packet %d: %+v", i, p.Header)
		}
		var ev dtmf.Payload
		if err := ev.Unmarshal(p.Payload); err != nil {
			t.Fatal(err)
		}
		k := i % 8 // packet within its event
		if p.Marker != (k == 0) || ev.End != (k >= 5) || ev.Duration != uint16(min(k+1, 5)*160) {
			t.Fatalf("packet %d: marker %v %+v", i, p.Marker, ev)
		}
		if k == 0 {
			events = append(events, ev.Event)
		} else if p.Timestamp != pkts[i-k].Timestamp {
			t.Fatalf("packet %d: timestamp %d within an event that started at %d", i, p.Timestamp, pkts[i-k].Timestamp)
		}
	}
	if string(events) != string([]uint8{1, dtmf.EventPound, 9}) {
		t.Fatalf("events %v", events)
	}
	if d := pkts[8].Timestamp - pkts[0].Timestamp; d != 1280 {
		t.Fatalf("second event %d units after the first, want 1280", d)
	}
	if d := int32(pkts[16].Timestamp - pkts[8].Timestamp); d < 1280 { // tone, end packets, one interval
		t.Fatalf("the next request's event went back in time: %d", d)
	}
}

func TestSendDTMFRefused(t *testing.T) {
	h := newHarness(t, Video, "H264", 112, 90000)
	res, err := h.system.Root.RequestFuture(h.pid, &SendDTMF{Digits: "1", PayloadType: 101,
		Remote: &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9}}, 5*time.Second).Result()
	if err != nil || res.(*SendDTMFResponse).Error == "" {
		t.Fatalf("video line sent DTMF: %v %v", res, err)
	}
	a := newHarness(t, Audio, "PCMU", 0, 8000)
	res, err = a.system.Root.RequestFuture(a.pid, &SendDTMF{Digits: "X", PayloadType: 101,
		Remote: &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9}}, 5*time.Second).Result()
	if err != nil || res.(*SendDTMFResponse).Error == "" {
		t.Fatalf("bad digit sent: %v %v", res, err)
	}
}
