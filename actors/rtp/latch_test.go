package rtp

import (
	"net"
	"testing"
	"time"

	pionrtcp "github.com/pion/rtcp"

	"github.com/sipcast/sipcast/media/frame"
)

// Symmetric latching of RTCP: keyframe requests go to the SDP's RTCP address, then (once the
// device's RTP came from elsewhere) to that source's port + 1, then, once the device's own RTCP
// came, to where it came from, which a NAT mapped to no port next to RTP's. A re-INVITE's Peer
// and a new codec's Configure keep the latched address.
func TestRTCPLatching(t *testing.T) {
	ports, err := NewPorts(net.ParseIP("127.0.0.1"), 48000, 48999)
	if err != nil {
		t.Fatal(err)
	}
	natted, err := ports.Bind() // the device's NAT mapping of its RTP, and the port above it
	if err != nil {
		t.Fatal(err)
	}
	defer natted.Close()
	sdpRTCP, nattedRTCP := listenLoopback(t), listenLoopback(t)
	conf := &Configure{Codec: "H264", PayloadType: 96, ClockRate: 90000, Zero: time.Now()}
	peer := func(dev *net.UDPAddr) *Peer {
		return &Peer{RTP: dev, RTCP: sdpRTCP.LocalAddr().(*net.UDPAddr), Latch: true, TelephoneEvent: -1}
	}
	h := newLineHarness(t, Video, conf, peer)
	ourRTCP := &net.UDPAddr{IP: h.to.IP, Port: h.to.Port + 1}

	h.expectPLI(t, sdpRTCP, "at the SDP's a=rtcp")

	h.sendRun(t, natted.RTP, 96, 9, 1, probation)
	if m, ok := h.event(t, 5*time.Second).(*Latched); !ok || !sameAddr(m.RTP, natted.RTP.LocalAddr().(*net.UDPAddr)) {
		t.Fatalf("latched %#v", m)
	}
	h.expectPLI(t, natted.RTCP, "at the latched RTP's port + 1")

	rr, err := (&pionrtcp.ReceiverReport{SSRC: 9}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nattedRTCP.WriteToUDP(rr, ourRTCP); err != nil {
		t.Fatal(err)
	}
	h.expectPLI(t, nattedRTCP, "at the device's RTCP source")

	// A re-INVITE's Peer and a new Configure do not undo it; RTCP from elsewhere later does not
	// move it (latching takes the first source only).
	h.system.Root.Send(h.pid, peer(h.dev.LocalAddr().(*net.UDPAddr)))
	if _, err := sdpRTCP.WriteToUDP(rr, ourRTCP); err != nil {
		t.Fatal(err)
	}
	h.system.Root.Send(h.pid, &Configure{Codec: "H264", PayloadType: 96, ClockRate: 90000, Zero: time.Now()})
	drain(sdpRTCP)
	drain(nattedRTCP)
	h.expectPLI(t, nattedRTCP, "after a new Peer and Configure")
	_ = sdpRTCP.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if n, _, err := sdpRTCP.ReadFromUDP(make([]byte, 1500)); err == nil {
		t.Fatalf("%d bytes of RTCP went back to the SDP's address", n)
	}
}

// drain discards what conn has received so far.
func drain(conn *net.UDPConn) {
	buf := make([]byte, 1500)
	for {
		_ = conn.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		if _, _, err := conn.ReadFromUDP(buf); err != nil {
			return
		}
	}
}

// expectPLI asks the actor for a keyframe until a PLI reaches conn: the device's RTCP and our
// request travel by different paths into the actor's mailbox, so the first requests may still
// go to the address before.
func (h *peerHarness) expectPLI(t *testing.T, conn *net.UDPConn, where string) {
	t.Helper()
	buf := make([]byte, 1500)
	for range 20 {
		h.system.Root.Send(h.pid, &frame.KeyframeNeeded{})
		_ = conn.SetReadDeadline(time.Now().Add(250 * time.Millisecond))
		n, _, err := conn.ReadFromUDP(buf)
		if err != nil {
			continue
		}
		pkts, err := pionrtcp.Unmarshal(buf[:n])
		if err != nil {
			t.Fatalf("%s: not RTCP: %v", where, err)
		}
		for _, p := range pkts {
			if _, ok := p.(*pionrtcp.PictureLossIndication); ok {
				return
			}
		}
	}
	t.Fatalf("no PLI %s (%s)", where, conn.LocalAddr())
}

func listenLoopback(t *testing.T) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
