package rtp

import (
	"encoding/binary"
	"io"
	"log/slog"
	"runtime"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/internal/metrics"

	"github.com/sipcast/sipcast/demo/clip"
	"github.com/sipcast/sipcast/protocol/sdp"
)

// The per-packet path of an RTP actor, without the sockets and the mailbox: what one packet
// costs from its bytes to the frame sent to the publishers. One op is one RTP packet.

// loopedRTP serves the packets of a capture forever, rewriting sequence numbers and timestamps
// so they run on across loops as a device's would.
type loopedRTP struct {
	raw      [][]byte
	periodTS uint32 // timestamp step per loop
	i        int
	loop     uint32
	buf      []byte
}

func (l *loopedRTP) next() []byte {
	src := l.raw[l.i]
	l.buf = append(l.buf[:0], src...)
	n := uint32(len(l.raw))*l.loop + uint32(l.i)
	binary.BigEndian.PutUint16(l.buf[2:], uint16(n))
	ts := binary.BigEndian.Uint32(src[4:]) + l.loop*l.periodTS
	binary.BigEndian.PutUint32(l.buf[4:], ts)
	if l.i++; l.i == len(l.raw) {
		l.i, l.loop = 0, l.loop+1
	}
	return l.buf
}

func videoPackets(b testing.TB) *loopedRTP {
	pkts, err := clip.ParsePCAP(clip.H264PCAP())
	if err != nil {
		b.Fatal(err)
	}
	l := &loopedRTP{}
	for _, p := range pkts {
		l.raw = append(l.raw, p.Payload)
	}
	first := binary.BigEndian.Uint32(l.raw[0][4:])
	last := binary.BigEndian.Uint32(l.raw[len(l.raw)-1][4:])
	l.periodTS = last - first + 3600 // one 25 fps frame after the last
	return l
}

// BenchmarkVideoPath: RTP parse, H.264 depacketisation (STAP-A, FU-A), parameter-set
// extraction, keyframe detection and the timeline, over the committed 640x360 capture.
func BenchmarkVideoPath(b *testing.B) {
	src := videoPackets(b)
	zero := time.Now()
	var out countSink
	v := newH264Pipe(&Configure{Codec: sdp.NameH264, ClockRate: 90000, Zero: zero}, 0, &out)
	var pkt pionrtp.Packet
	b.ReportAllocs()
	m0 := mallocs()
	for b.Loop() {
		raw := src.next()
		if err := pkt.Unmarshal(raw); err != nil {
			b.Fatal(err)
		}
		v.push(&pkt, zero, 0)
	}
	reportAllocsPerFrame(b, m0, out.frames)
	b.ReportMetric(float64(out.frames)/float64(b.N), "frames/op")
}

// BenchmarkAudioPath: RTP parse, G.711 µ-law decoding and AAC encoding (the default coder) of
// the committed 440 Hz tone, 20 ms per packet; %core/call is the share of one core that a
// call's audio costs.
func BenchmarkAudioPath(b *testing.B) {
	tone := clip.ToneUlaw()
	zero := time.Now()
	var out countSink
	a, err := newG711Pipe(&Configure{Codec: sdp.NamePCMU, ClockRate: 8000, Zero: zero}, 0, &out)
	if err != nil {
		b.Fatal(err)
	}
	defer a.close()
	const samples = 160
	pkt := pionrtp.Packet{Header: pionrtp.Header{Version: 2, PayloadType: 0, SSRC: 1}}
	raw := make([]byte, 12+samples)
	n := 0
	b.ReportAllocs()
	m0 := mallocs()
	for b.Loop() {
		h := pionrtp.Header{Version: 2, PayloadType: 0, SSRC: 1, SequenceNumber: uint16(n), Timestamp: uint32(n * samples)}
		hn, err := h.MarshalTo(raw)
		if err != nil {
			b.Fatal(err)
		}
		off := (n * samples) % (len(tone) - samples)
		raw = append(raw[:hn], tone[off:off+samples]...)
		if err := pkt.Unmarshal(raw); err != nil {
			b.Fatal(err)
		}
		a.push(&pkt, zero.Add(time.Duration(n)*20*time.Millisecond), 0)
		n++
	}
	reportAllocsPerFrame(b, m0, out.frames)
	perPacket := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.ReportMetric(100*perPacket/float64(20*time.Millisecond), "%core/call")
	b.ReportMetric(float64(out.frames)/float64(b.N), "frames/op")
}

// mallocs is the process's count of heap allocations so far.
func mallocs() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.Mallocs
}

// reportAllocsPerFrame reports the allocations since m0 per packet (one op) and per frame made,
// unrounded: allocs/op rounds down to a whole number.
func reportAllocsPerFrame(b *testing.B, m0 uint64, frames int) {
	n := float64(mallocs() - m0)
	b.ReportMetric(n/float64(b.N), "allocs/packet")
	if frames > 0 {
		b.ReportMetric(n/float64(frames), "allocs/frame")
	}
}

// countSink counts what a pipe makes, as the actor's sink would send it on.
type countSink struct{ frames, keys int }

func (s *countSink) publish(any)   { s.frames++ }
func (s *countSink) transcode(any) { s.frames++ }
func (s *countSink) needKey()      {}
func (s *countSink) gotKey([]byte) { s.keys++ }

// BenchmarkPacketPath: what the actor does with one video packet from its mailbox — parse,
// statistics, the jitter buffer, lip sync, the H.264 pipe, and the frames sent to a publisher —
// without the socket and the mailbox.
func BenchmarkPacketPath(b *testing.B) {
	src := videoPackets(b)
	a := newPacketPathActor(b)
	m := &packetRead{}
	b.ReportAllocs()
	m0 := mallocs()
	for b.Loop() {
		m.buf, m.arrival = src.next(), time.Now()
		m.buf[1] = m.buf[1]&0x80 | 96
		a.handlePacket(nil, m)
	}
	reportAllocsPerFrame(b, m0, 0)
	b.ReportMetric(float64(a.packetCount)/float64(b.N), "packets/op")
}

// newPacketPathActor is a configured H.264 RTP actor without sockets, publishing to one
// subscriber that drops what it gets.
func newPacketPathActor(tb testing.TB) *Actor {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	system := actor.NewActorSystemWithConfig(actor.Configure(
		actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return quiet })))
	tb.Cleanup(system.Shutdown)
	sub := system.Root.Spawn(actor.PropsFromFunc(func(actor.Context) {}))
	a := &Actor{cfg: Config{Kind: Video, Now: time.Now, Media: MediaOptions{JitterDepth: 100 * time.Millisecond}},
		kept: &kept{}, log: quiet, system: system, self: sub, started: true,
		subscribers: []*actor.PID{sub}, meter: metrics.NewRTPStream("video")}
	tb.Cleanup(a.meter.Close)
	a.handleConfigure(&Configure{Codec: sdp.NameH264, PayloadType: 96, ClockRate: 90000, Zero: time.Now()})
	tb.Cleanup(a.closePath)
	return a
}
