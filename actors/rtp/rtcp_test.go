package rtp

import (
	"net"
	"testing"
	"time"

	pionrtcp "github.com/pion/rtcp"
	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/media/clock"
)

// A line that sends RTP (silence here) reports as a sender (RFC 3550 §6.4.1): SR with our SSRC,
// the packets and octets sent, and an NTP↔RTP pair that matches the RTP it sent; a line that
// sends nothing sends RR.
func TestReportsAsSender(t *testing.T) {
	for _, tc := range []struct {
		name    string
		silence bool
	}{{"silence sent: SR", true}, {"nothing sent: RR", false}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rtcpDev, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
			if err != nil {
				t.Fatal(err)
			}
			defer rtcpDev.Close()
			conf := &Configure{Codec: "PCMU", PayloadType: 0, ClockRate: 8000, Zero: time.Now()}
			h := newLineHarness(t, Audio, conf, func(dev *net.UDPAddr) *Peer {
				return &Peer{RTP: dev, RTCP: rtcpDev.LocalAddr().(*net.UDPAddr), Silence: tc.silence,
					SilenceCodec: "PCMU", TelephoneEvent: -1}
			})
			// The RTP the actor sends, newest last, read while the report is awaited.
			rtps, stop := make(chan pionrtp.Packet, 1024), make(chan struct{})
			go func() {
				buf := make([]byte, 1500)
				_ = h.dev.SetReadDeadline(time.Now().Add(5 * time.Second))
				for {
					n, _, err := h.dev.ReadFromUDP(buf)
					select {
					case <-stop:
						err = net.ErrClosed
					default:
					}
					if err != nil {
						close(rtps)
						return
					}
					var p pionrtp.Packet
					if p.Unmarshal(append([]byte(nil), buf[:n]...)) == nil {
						rtps <- p
					}
				}
			}()
			report := firstReport(t, rtcpDev)
			close(stop)
			_ = h.dev.SetReadDeadline(time.Now().Add(50 * time.Millisecond)) // the packets in flight, then stop
			var sent []pionrtp.Packet
			for p := range rtps {
				sent = append(sent, p)
			}
			sr, isSR := report.(*pionrtcp.SenderReport)
			if isSR != tc.silence {
				t.Fatalf("report %T, want SR=%v", report, tc.silence)
			}
			if !isSR {
				if len(sent) != 0 {
					t.Fatalf("%d RTP packets sent with silence off", len(sent))
				}
				return
			}
			var before []pionrtp.Packet // sent up to the report: its counts cover them
			for _, p := range sent {
				if int32(p.Timestamp-sr.RTPTime) <= 0 {
					before = append(before, p)
				}
			}
			if len(before) == 0 || sr.SSRC != before[0].SSRC {
				t.Fatalf("SR SSRC %d, %d packets before it", sr.SSRC, len(before))
			}
			// Timestamps are whole 20 ms steps of wall time, the SR's is exact: the packet sent
			// just after the report can have a timestamp at or below it.
			if d := int(sr.PacketCount) - len(before); d < -1 || d > 1 || sr.OctetCount != sr.PacketCount*160 {
				t.Errorf("SR counts %d packets / %d octets, %d packets seen before it", sr.PacketCount, sr.OctetCount, len(before))
			}
			if lag := sr.RTPTime - before[len(before)-1].Timestamp; lag > 160*3 {
				t.Errorf("SR RTP time %d ticks after the last packet sent before it", lag)
			}
			ntp := clock.NTPTime(sr.NTPTime) - clock.NTPTime(clock.ToNTP(time.Now()))
			if ntp > 0 || ntp < -5*time.Second {
				t.Errorf("SR NTP time %v from now", ntp)
			}
		})
	}
}

// firstReport reads the device's RTCP socket until an SR or RR comes.
func firstReport(t *testing.T, dev *net.UDPConn) pionrtcp.Packet {
	t.Helper()
	buf := make([]byte, 1500)
	_ = dev.SetReadDeadline(time.Now().Add(3 * time.Second))
	for {
		n, _, err := dev.ReadFromUDP(buf)
		if err != nil {
			t.Fatalf("no report: %v", err)
		}
		pkts, err := pionrtcp.Unmarshal(buf[:n])
		if err != nil {
			continue
		}
		for _, p := range pkts {
			switch p.(type) {
			case *pionrtcp.SenderReport, *pionrtcp.ReceiverReport:
				return p
			}
		}
	}
}
