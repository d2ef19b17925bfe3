package rtp

import (
	"net"
	"testing"

	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/protocol/sdp"
)

// The stages of the packet path that the pipe benchmarks leave out (issue 14, part 1): each one
// alone, so that a change to one shows in its own figure. bench/RESULTS.md puts them side by side.

// BenchmarkSocketRead is the reader's side of one datagram: the system call that reads a
// 1,200-byte datagram from a loopback socket, its copy into the arena and its message (sent
// before each read, so the datagram waits as it does when the reader is woken for it).
func BenchmarkSocketRead(b *testing.B) {
	rc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		b.Fatal(err)
	}
	sc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { rc.Close(); sc.Close() })
	to := rc.LocalAddr().(*net.UDPAddr).AddrPort()
	p, scratch := make([]byte, 1200), make([]byte, maxDatagram)
	var arena readArena
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sc.WriteToUDPAddrPort(p, to); err != nil {
			b.Fatal(err)
		}
		n, _, err := rc.ReadFromUDPAddrPort(scratch)
		if err != nil {
			b.Fatal(err)
		}
		m := arena.msg()
		m.buf = arena.copyOf(scratch[:n])
	}
}

// BenchmarkRTPParse is the RTP header parse of one packet of the committed capture.
func BenchmarkRTPParse(b *testing.B) {
	src := videoPackets(b)
	var pkt pionrtp.Packet
	b.ReportAllocs()
	for b.Loop() {
		if err := pkt.Unmarshal(src.next()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkComfortSend is one tick of the comfort media sipcast sends a device that takes it:
// the packets built and written to a loopback socket (one op is one tick: a G.711 packet of
// silence, or the three packets of a black H.264 key frame).
func BenchmarkComfortSend(b *testing.B) {
	for _, tc := range []struct {
		name  string
		kind  Kind
		codec string
	}{{"audio-PCMU", Audio, sdp.NamePCMU}, {"video-H264", Video, sdp.NameH264}} {
		b.Run(tc.name, func(b *testing.B) {
			a := newPacketPathActor(b)
			a.cfg.Kind = tc.kind
			rtpConn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
			if err != nil {
				b.Fatal(err)
			}
			sink, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { rtpConn.Close(); sink.Close() })
			go func() { // drain, as a device would: a full buffer would make the kernel drop early
				buf := make([]byte, 2048)
				for {
					if _, err := sink.Read(buf); err != nil {
						return
					}
				}
			}()
			a.cfg.Pair = &Pair{RTP: rtpConn, RTCP: rtpConn}
			a.peerSt = &peerState{remote: sink.LocalAddr().(*net.UDPAddr)}
			a.restartSilence(&Peer{Silence: true, SilenceCodec: tc.codec, SilencePT: 96})
			b.Cleanup(a.peerSt.silence.stop)
			tick := &silenceTick{gen: a.peerSt.silence.gen}
			sent0 := a.rtpClock().packets
			b.ReportAllocs()
			for b.Loop() {
				a.handleSilenceTick(tick)
			}
			b.ReportMetric(float64(a.rtpClock().packets-sent0)/float64(b.N), "packets/op")
		})
	}
}
