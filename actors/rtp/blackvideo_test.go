package rtp

import (
	"bytes"
	"net"
	"testing"
	"time"

	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/media/blackframe"
)

// A video line in a codec sipcast has no picture in gets nothing.
func TestNoBlackFrameInOtherCodecs(t *testing.T) {
	t.Parallel()
	conf := &Configure{Codec: "VP9", PayloadType: 98, ClockRate: 90000, Zero: time.Now()}
	h := newLineHarness(t, Video, conf, func(dev *net.UDPAddr) *Peer {
		return &Peer{RTP: dev, Silence: true, SilenceCodec: "VP9", SilencePT: 98, TelephoneEvent: -1}
	})
	_ = h.dev.SetReadDeadline(time.Now().Add(3 * blackInterval))
	if n, _, err := h.dev.ReadFromUDP(make([]byte, 1500)); err == nil {
		t.Fatalf("a %d-byte packet on a VP9 line", n)
	}
}

// A re-INVITE restarts the sender; the IDR after it still changes idr_pic_id (H.264 7.4.3),
// and the stream goes on: one SSRC, the next sequence number, a later timestamp.
func TestBlackFramesAcrossReinvite(t *testing.T) {
	t.Parallel()
	conf := &Configure{Codec: "H264", PayloadType: 112, ClockRate: 90000, Zero: time.Now()}
	var peer *Peer
	h := newLineHarness(t, Video, conf, func(dev *net.UDPAddr) *Peer {
		peer = &Peer{RTP: dev, Silence: true, SilenceCodec: "H264", SilencePT: 112, TelephoneEvent: -1}
		return peer
	})
	first := readFrame(t, h.dev, 3)
	h.system.Root.Send(h.pid, peer)
	second := readFrame(t, h.dev, 3)
	last, next := first[2], second[0]
	if !bytes.Equal(first[2].Payload, blackframe.H264(0)[2]) || !bytes.Equal(second[2].Payload, blackframe.H264(1)[2]) {
		t.Fatal("the IDR after the re-INVITE repeats idr_pic_id")
	}
	if next.SSRC != last.SSRC || next.SequenceNumber != last.SequenceNumber+1 || int32(next.Timestamp-last.Timestamp) <= 0 {
		t.Fatalf("%+v after %+v", next.Header, last.Header)
	}
}

// readFrame reads the n packets of one frame.
func readFrame(t *testing.T, dev *net.UDPConn, n int) []pionrtp.Packet {
	t.Helper()
	pkts := make([]pionrtp.Packet, n)
	buf := make([]byte, 1500)
	for i := range pkts {
		_ = dev.SetReadDeadline(time.Now().Add(2 * time.Second))
		nb, _, err := dev.ReadFromUDP(buf)
		if err != nil {
			t.Fatalf("packet %d: %v", i, err)
		}
		if err := pkts[i].Unmarshal(append([]byte(nil), buf[:nb]...)); err != nil {
			t.Fatal(err)
		}
	}
	return pkts
}
