package rtp

import (
	"net"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/pion/rtcp"
	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/demo/clip"
	"github.com/sipcast/sipcast/media/clock"
	"github.com/sipcast/sipcast/media/frame"
)

// The jitter buffer, NACK/PLI, the VP8 and Opus pipes and lip sync, through a real RTP actor on
// loopback, as actor_test.go drives it.

var mediaPorts = sync.OnceValue(func() *Ports {
	p, err := NewPorts(net.ParseIP("127.0.0.1"), 47000, 47999)
	if err != nil {
		panic(err)
	}
	return p
})

type mediaHarness struct {
	system *actor.ActorSystem
	pid    *actor.PID
	probe  *actor.PID
	out    chan any
	dev    *net.UDPConn
	to     *net.UDPAddr
	rtcpTo *net.UDPAddr
}

// newMediaHarness starts an RTP actor configured by conf; its frames, and what it sends a
// transcoder, arrive on out.
func newMediaHarness(t *testing.T, system *actor.ActorSystem, kind Kind, conf *Configure, opts MediaOptions) *mediaHarness {
	t.Helper()
	pair, err := mediaPorts().Bind()
	if err != nil {
		t.Fatal(err)
	}
	dev, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	h := &mediaHarness{system: system, out: make(chan any, 8192), dev: dev,
		to:     &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: pair.Port},
		rtcpTo: &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: pair.Port + 1}}
	h.probe = system.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		switch m := ctx.Message().(type) {
		case *frame.VideoFrame, *frame.AudioFrame, *frame.EncodedVideo, *frame.EncodedAudio:
			h.out <- m
		}
	}))
	h.pid = system.Root.Spawn(NewProps(Config{Kind: kind, CallID: "t", Pair: pair, Media: opts}))
	conf.RemoteRTCP = dev.LocalAddr().(*net.UDPAddr)
	if conf.Zero.IsZero() {
		conf.Zero = time.Now()
	}
	if conf.Transcoder == (*actor.PID)(nil) && (conf.Codec == "VP8" || conf.Codec == "OPUS") {
		conf.Transcoder = h.probe
	}
	system.Root.Send(h.pid, conf)
	system.Root.Send(h.pid, &Subscribe{Subscribers: []*actor.PID{h.probe}})
	t.Cleanup(func() {
		_ = system.Root.StopFuture(h.pid).Wait()
		dev.Close()
	})
	return h
}

func (h *mediaHarness) send(t *testing.T, b []byte) {
	t.Helper()
	if _, err := h.dev.WriteToUDP(b, h.to); err != nil {
		t.Fatal(err)
	}
}

func (h *mediaHarness) collect(n int, within time.Duration) []any {
	var got []any
	deadline := time.After(within)
	for len(got) < n {
		select {
		case m := <-h.out:
			got = append(got, m)
		case <-deadline:
			return got
		}
	}
	return got
}

// rtcpOf reads RTCP from the device socket until one of the wanted type comes, or timeout.
func rtcpOf[T rtcp.Packet](t *testing.T, dev *net.UDPConn, within time.Duration) (T, bool) {
	t.Helper()
	var zero T
	buf := make([]byte, 1500)
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		_ = dev.SetReadDeadline(deadline)
		n, _, err := dev.ReadFromUDP(buf)
		if err != nil {
			return zero, false
		}
		pkts, err := rtcp.Unmarshal(buf[:n])
		if err != nil {
			continue
		}
		for _, p := range pkts {
			if v, ok := p.(T); ok {
				return v, true
			}
		}
	}
	return zero, false
}

func capture(t *testing.T) [][]byte {
	pkts, err := clip.ParsePCAP(clip.H264PCAP())
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, p := range pkts {
		if p.Time > 2*time.Second {
			break
		}
		out = append(out, p.Payload)
	}
	return out
}

// jitterCases: the capture's first 2 s sent reordered (pairs swapped), duplicated, or both; the
// buffer must give the same frames in the same order as in-order sending.
var jitterCases = []struct {
	name  string
	order func(pkts [][]byte) [][]byte
}{
	{"in order", func(p [][]byte) [][]byte { return p }},
	{"pairs swapped", func(p [][]byte) [][]byte {
		out := append([][]byte(nil), p...)
		for i := 1; i+1 < len(out); i += 2 {
			out[i], out[i+1] = out[i+1], out[i]
		}
		return out
	}},
	{"every fifth packet twice", func(p [][]byte) [][]byte {
		var out [][]byte
		for i, b := range p {
			out = append(out, b)
			if i%5 == 0 {
				out = append(out, b)
			}
		}
		return out
	}},
	{"a packet three places late", func(p [][]byte) [][]byte {
		out := append([][]byte(nil), p...)
		for i := 10; i+3 < len(out); i += 40 {
			late := out[i]
			copy(out[i:], out[i+1:i+4])
			out[i+3] = late
		}
		return out
	}},
}

func TestJitterBufferVideo(t *testing.T) {
	system := actor.NewActorSystem()
	defer system.Shutdown()
	for _, tc := range jitterCases {
		t.Run(tc.name, func(t *testing.T) {
			h := newMediaHarness(t, system, Video, &Configure{Codec: "H264", PayloadType: 112, ClockRate: 90000}, MediaOptions{})
			// Paced at ~8x real time: the kernel must not drop what the buffer is judged on.
			for i, b := range tc.order(capture(t)) {
				h.send(t, b)
				if i%4 == 0 {
					time.Sleep(time.Millisecond)
				}
			}
			got := h.collect(50, 3*time.Second)
			if len(got) < 49 {
				t.Fatalf("%d frames from 50", len(got))
			}
			for i := 1; i < len(got); i++ {
				prev, cur := got[i-1].(*frame.VideoFrame), got[i].(*frame.VideoFrame)
				if d := cur.PTS - prev.PTS; d < 30*time.Millisecond || d > 50*time.Millisecond {
					t.Fatalf("frame %d: PTS step %v", i, d)
				}
			}
		})
	}
}

// A lost packet is asked for (NACK), then given up after the depth: PLI.
func TestNACKThenPLI(t *testing.T) {
	system := actor.NewActorSystem()
	defer system.Shutdown()
	h := newMediaHarness(t, system, Video, &Configure{Codec: "H264", PayloadType: 112, ClockRate: 90000, NACK: true},
		MediaOptions{JitterDepth: 300 * time.Millisecond})
	pkts := capture(t)
	var missing uint16
	for i, b := range pkts[:60] {
		if i == 30 {
			var p pionrtp.Packet
			_ = p.Unmarshal(b)
			missing = p.SequenceNumber
			continue
		}
		h.send(t, b)
	}
	nack, ok := rtcpOf[*rtcp.TransportLayerNack](t, h.dev, 2*time.Second)
	if !ok {
		t.Fatal("no NACK")
	}
	if len(nack.Nacks) != 1 || nack.Nacks[0].PacketID != missing || nack.Nacks[0].LostPackets != 0 {
		t.Fatalf("NACK %+v, want %d", nack.Nacks, missing)
	}
	if _, ok := rtcpOf[*rtcp.PictureLossIndication](t, h.dev, 2*time.Second); !ok {
		t.Fatal("no PLI after the gap was given up")
	}
}

// Without "nack" in the answer, a gap is not asked for.
func TestNoNACKUnlessNegotiated(t *testing.T) {
	system := actor.NewActorSystem()
	defer system.Shutdown()
	h := newMediaHarness(t, system, Video, &Configure{Codec: "H264", PayloadType: 112, ClockRate: 90000},
		MediaOptions{JitterDepth: 50 * time.Millisecond})
	pkts := capture(t)
	for i, b := range pkts[:40] {
		if i != 20 {
			h.send(t, b)
		}
	}
	if _, ok := rtcpOf[*rtcp.TransportLayerNack](t, h.dev, 700*time.Millisecond); ok {
		t.Fatal("NACK sent without negotiation")
	}
}

// vp8Packets packetizes VP8 frames (RFC 7741, 1000-byte payloads) at 25 fps.
func vp8Packets(frames [][]byte, ssrc uint32) [][]byte {
	var out [][]byte
	seq, ts := uint16(500), uint32(77777)
	for _, f := range frames {
		for off := 0; off < len(f); off += 1000 {
			end := min(off+1000, len(f))
			desc := byte(0)
			if off == 0 {
				desc = 0x10
			}
			p := pionrtp.Packet{Header: pionrtp.Header{Version: 2, PayloadType: 96, SequenceNumber: seq, Timestamp: ts,
				SSRC: ssrc, Marker: end == len(f)}, Payload: append([]byte{desc}, f[off:end]...)}
			b, _ := p.Marshal()
			out = append(out, b)
			seq++
		}
		ts += 3600
	}
	return out
}

func TestVP8ToTranscoder(t *testing.T) {
	system := actor.NewActorSystem()
	defer system.Shutdown()
	h := newMediaHarness(t, system, Video, &Configure{Codec: "VP8", PayloadType: 96, ClockRate: 90000}, MediaOptions{})
	key := append([]byte{0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0x68, 0x01}, make([]byte, 2500)...) // 640x360
	inter := append([]byte{0x31, 0x01, 0x00}, make([]byte, 300)...)
	pkts := vp8Packets([][]byte{inter, key, inter, inter}, 42)
	pkts[len(pkts)-2], pkts[len(pkts)-1] = pkts[len(pkts)-1], pkts[len(pkts)-2] // reordered
	for _, b := range pkts {
		h.send(t, b)
	}
	got := h.collect(3, 2*time.Second)
	if len(got) != 3 {
		t.Fatalf("%d frames for the transcoder, want 3 (the inter frame before the key dropped)", len(got))
	}
	first := got[0].(*frame.EncodedVideo)
	if !first.Key || first.Width != 640 || first.Height != 360 || len(first.Data) != len(key) {
		t.Fatalf("first frame %v %dx%d %d bytes", first.Key, first.Width, first.Height, len(first.Data))
	}
	if d := got[2].(*frame.EncodedVideo).PTS - first.PTS; d != 80*time.Millisecond {
		t.Fatalf("third frame %v after the first", d)
	}
}

func TestOpusToTranscoder(t *testing.T) {
	system := actor.NewActorSystem()
	defer system.Shutdown()
	h := newMediaHarness(t, system, Audio, &Configure{Codec: "OPUS", PayloadType: 111, ClockRate: 48000, Channels: 2}, MediaOptions{})
	for i := range 10 {
		p := pionrtp.Packet{Header: pionrtp.Header{Version: 2, PayloadType: 111, SequenceNumber: uint16(i), Timestamp: uint32(i) * 960, SSRC: 5},
			Payload: []byte{0xfc, 1, 2, 3}} // CELT FB 20 ms stereo
		b, _ := p.Marshal()
		h.send(t, b)
	}
	got := h.collect(10, 2*time.Second)
	if len(got) != 10 {
		t.Fatalf("%d packets for the transcoder", len(got))
	}
	for i, m := range got {
		a := m.(*frame.EncodedAudio)
		if a.Samples != 960 || len(a.Frames) != 1 || (i > 0 && a.PTS-got[i-1].(*frame.EncodedAudio).PTS != 20*time.Millisecond) {
			t.Fatalf("packet %d: %+v", i, a)
		}
	}
}

// Lip sync: audio (PCMU passed through, so its PTS shows) arrives 200 ms after the video of the
// same instant; both lines' sender reports put them back together.
func TestSenderReportsSyncLines(t *testing.T) {
	system := actor.NewActorSystem()
	defer system.Shutdown()
	group := &clock.SyncGroup{}
	zero := time.Now()
	vh := newMediaHarness(t, system, Video, &Configure{Codec: "VP8", PayloadType: 96, ClockRate: 90000, Sync: group, Zero: zero}, MediaOptions{})
	ah := newMediaHarness(t, system, Audio, &Configure{Codec: "PCMU", PayloadType: 0, ClockRate: 8000, Sync: group, Zero: zero,
		Output: frame.PCMU}, MediaOptions{})
	const vBase, aBase, vSSRC, aSSRC = 4000000000, 17, 0xabc, 0xdef
	ntp0 := uint64(3_900_000_000) << 32
	sr := func(h *mediaHarness, ssrc, rtpTS uint32, after time.Duration) {
		pkt := &rtcp.SenderReport{SSRC: ssrc, NTPTime: ntp0 + uint64(after.Seconds()*(1<<32)), RTPTime: rtpTS}
		b, _ := pkt.Marshal()
		if _, err := h.dev.WriteToUDP(b, h.rtcpTo); err != nil {
			t.Fatal(err)
		}
	}
	key := append([]byte{0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0x68, 0x01}, make([]byte, 100)...)
	vpk := vp8Packets([][]byte{key, key, key, key, key, key, key, key, key, key}, vSSRC) // 400 ms
	audio := func(i int) []byte {
		p := pionrtp.Packet{Header: pionrtp.Header{Version: 2, PayloadType: 0, SequenceNumber: uint16(i), Timestamp: aBase + uint32(i)*160,
			SSRC: aSSRC}, Payload: make([]byte, 160)}
		b, _ := p.Marshal()
		return b
	}
	// Sender time 0: video frame 0 and audio packet 0 captured. Video arrives now, audio 200 ms on.
	for i := range 5 {
		vh.send(t, rewriteTS(vpk[i], vBase+uint32(i)*3600))
	}
	time.Sleep(200 * time.Millisecond)
	for i := range 10 {
		ah.send(t, audio(i))
	}
	time.Sleep(50 * time.Millisecond)
	// Reports at sender time 100 ms, each with its own RTP clock.
	sr(vh, vSSRC, vBase+9000, 100*time.Millisecond)
	sr(ah, aSSRC, aBase+800, 100*time.Millisecond)
	time.Sleep(50 * time.Millisecond)
	// Sender time 200 ms on both lines: each line offers the group its zero on its first packet
	// after its report; the group keeps the one that puts every line at or after arrival.
	vh.send(t, rewriteTS(vpk[5], vBase+18000))
	ah.send(t, audio(10)) // ts aBase+1600: 200 ms
	time.Sleep(50 * time.Millisecond)
	// Sender time 240 ms on both lines: whichever line offered first has now moved to the
	// group's final zero too (a line follows a new zero on its next packet).
	vh.send(t, rewriteTS(vpk[6], vBase+21600))
	ah.send(t, audio(11))
	ah.send(t, audio(12)) // ts aBase+1920: 240 ms
	var vpts, apts time.Duration
	for _, m := range vh.collect(7, 2*time.Second) {
		vpts = m.(*frame.EncodedVideo).PTS
	}
	for _, m := range ah.collect(13, 2*time.Second) {
		apts = m.(*frame.AudioFrame).PTS
	}
	if d := vpts - apts; d > 5*time.Millisecond || d < -5*time.Millisecond {
		t.Fatalf("same sender instant: video at %v, audio at %v", vpts, apts)
	}
}

// rewriteTS sets an RTP packet's timestamp.
func rewriteTS(b []byte, ts uint32) []byte {
	var p pionrtp.Packet
	_ = p.Unmarshal(b)
	p.Timestamp = ts
	out, _ := p.Marshal()
	return out
}

// A later report on an unchanged zero that disagrees with the first by 60 ms (a loaded sender
// pairing NTP and RTP late) moves the line by maxSyncSlew at most: no picture lands on its
// predecessor.
func TestLaterReportSlews(t *testing.T) {
	system := actor.NewActorSystem()
	defer system.Shutdown()
	h := newMediaHarness(t, system, Video, &Configure{Codec: "VP8", PayloadType: 96, ClockRate: 90000,
		Sync: &clock.SyncGroup{}, Zero: time.Now()}, MediaOptions{})
	const base, ssrc = 1000, 0x77
	ntp0 := uint64(3_900_000_000) << 32
	sr := func(rtpTS uint32, ntpAfter time.Duration) {
		b, _ := (&rtcp.SenderReport{SSRC: ssrc, NTPTime: ntp0 + uint64(ntpAfter.Seconds()*(1<<32)), RTPTime: rtpTS}).Marshal()
		if _, err := h.dev.WriteToUDP(b, h.rtcpTo); err != nil {
			t.Fatal(err)
		}
		time.Sleep(30 * time.Millisecond)
	}
	key := append([]byte{0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0x68, 0x01}, make([]byte, 100)...)
	frames := make([][]byte, 12)
	for i := range frames {
		frames[i] = key
	}
	pkts := vp8Packets(frames, ssrc)
	send := func(i int) { h.send(t, rewriteTS(pkts[i], base+uint32(i)*3600)); time.Sleep(5 * time.Millisecond) }
	for i := range 4 {
		send(i)
	}
	sr(base, 0) // frame 0 at sender time 0
	for i := 4; i < 8; i++ {
		send(i)
	}
	sr(base+8*3600, 320*time.Millisecond-60*time.Millisecond) // frame 8 claimed 60 ms early
	for i := 8; i < 12; i++ {
		send(i)
	}
	got := h.collect(12, 2*time.Second)
	if len(got) < 12 {
		t.Fatalf("%d frames of 12", len(got))
	}
	for i := 1; i < len(got); i++ {
		step := got[i].(*frame.EncodedVideo).PTS - got[i-1].(*frame.EncodedVideo).PTS
		if step < 40*time.Millisecond-maxSyncSlew || step > 40*time.Millisecond+maxSyncSlew {
			t.Errorf("frame %d: step %v", i, step)
		}
	}
}
