package rtp

import (
	"net"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/pion/rtcp"
	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/demo/clip"
	"github.com/sipcast/sipcast/media/frame"
)

// These tests drive a real RTP actor over loopback sockets with the committed capture: the
// device side is a plain UDP socket, the subscriber a probe actor collecting frames.

type harness struct {
	system *actor.ActorSystem
	pid    *actor.PID
	frames chan any
	dev    *net.UDPConn // the "device": sends RTP, receives our RTCP
	to     *net.UDPAddr
}

func newHarness(t *testing.T, kind Kind, codec string, pt uint8, rate uint32) *harness {
	t.Helper()
	ports, err := NewPorts(net.ParseIP("127.0.0.1"), 46000+int(kind)*500, 46499+int(kind)*500)
	if err != nil {
		t.Fatal(err)
	}
	pair, err := ports.Bind()
	if err != nil {
		t.Fatal(err)
	}
	dev, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{system: actor.NewActorSystem(), frames: make(chan any, 4096), dev: dev,
		to: &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: pair.Port}}
	probe := h.system.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		switch m := ctx.Message().(type) {
		case *frame.VideoFrame, *frame.AudioFrame:
			h.frames <- m
		}
	}))
	h.pid = h.system.Root.Spawn(NewProps(Config{Kind: kind, CallID: "t", Pair: pair}))
	h.system.Root.Send(h.pid, &Configure{Codec: codec, PayloadType: pt, ClockRate: rate,
		RemoteRTCP: dev.LocalAddr().(*net.UDPAddr), FIR: true, Zero: time.Now()})
	h.system.Root.Send(h.pid, &Subscribe{Subscribers: []*actor.PID{probe}})
	t.Cleanup(func() {
		_ = h.system.Root.StopFuture(h.pid).Wait()
		h.system.Shutdown()
		dev.Close()
	})
	return h
}

func TestVideoFromCapture(t *testing.T) {
	pkts, err := clip.ParsePCAP(clip.H264PCAP())
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, Video, "H264", 112, 90000)
	// A keyframe request must reach the device before any media: the stream should start fast.
	_ = h.dev.SetReadDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 1500)
	n, _, err := h.dev.ReadFromUDP(buf)
	if err != nil {
		t.Fatalf("no RTCP from the actor: %v", err)
	}
	rtcpPkts, err := rtcp.Unmarshal(buf[:n])
	if err != nil {
		t.Fatal(err)
	}
	var pli, fir bool
	for _, p := range rtcpPkts {
		switch p.(type) {
		case *rtcp.PictureLossIndication:
			pli = true
		case *rtcp.FullIntraRequest:
			fir = true
		}
	}
	if !pli || !fir {
		t.Fatalf("first RTCP %T lacks PLI/FIR", rtcpPkts)
	}
	// Two seconds of the capture, as fast as loopback takes it (the timeline follows RTP time).
	sent := 0
	for _, p := range pkts {
		if p.Time > 2*time.Second {
			break
		}
		if _, err := h.dev.WriteToUDP(p.Payload, h.to); err != nil {
			t.Fatal(err)
		}
		sent++
		if sent%50 == 0 {
			time.Sleep(time.Millisecond) // keep the socket buffer from overflowing
		}
	}
	var frames []*frame.VideoFrame
	deadline := time.After(3 * time.Second)
collect:
	for len(frames) < 48 {
		select {
		case f := <-h.frames:
			frames = append(frames, f.(*frame.VideoFrame))
		case <-deadline:
			break collect
		}
	}
	if len(frames) < 45 {
		t.Fatalf("%d frames from 2 s of 25 fps video", len(frames))
	}
	if !frames[0].Key || frames[0].SPS == nil || frames[0].PPS == nil {
		t.Fatal("first frame is not a keyframe with SPS/PPS")
	}
	for i := 1; i < len(frames); i++ {
		d := frames[i].PTS - frames[i-1].PTS
		if d < 30*time.Millisecond || d > 50*time.Millisecond {
			t.Fatalf("frame %d: PTS step %v, want 40ms", i, d)
		}
	}
}

func TestAudioToAAC(t *testing.T) {
	tone := clip.ToneUlaw()
	h := newHarness(t, Audio, "PCMU", 0, 8000)
	seq, ts := uint16(1000), uint32(123456)
	for off := 0; off+160 <= 2*8000; off += 160 { // 2 s
		pkt := pionrtp.Packet{Header: pionrtp.Header{Version: 2, PayloadType: 0, SequenceNumber: seq, Timestamp: ts, SSRC: 7},
			Payload: tone[off : off+160]}
		b, _ := pkt.Marshal()
		if _, err := h.dev.WriteToUDP(b, h.to); err != nil {
			t.Fatal(err)
		}
		seq++
		ts += 160
	}
	var frames []*frame.AudioFrame
	deadline := time.After(3 * time.Second)
collect:
	for len(frames) < 14 {
		select {
		case f := <-h.frames:
			frames = append(frames, f.(*frame.AudioFrame))
		case <-deadline:
			break collect
		}
	}
	// 16000 samples in → 15 full AAC frames of 1024, minus the encoder's look-ahead.
	if len(frames) < 14 {
		t.Fatalf("%d AAC frames from 2 s of audio", len(frames))
	}
	for i := 1; i < len(frames); i++ {
		if d := frames[i].PTS - frames[i-1].PTS; d != 128*time.Millisecond {
			t.Fatalf("AAC frame %d: PTS step %v, want 128ms (1024 samples at 8 kHz)", i, d)
		}
		if len(frames[i].Data) == 0 {
			t.Fatalf("empty AAC frame %d", i)
		}
	}
}

// A restarted RTP actor keeps its port, its negotiated codec and its subscribers: media resumes.
func TestRestartKeepsNegotiation(t *testing.T) {
	tone := clip.ToneUlaw()
	h := newHarness(t, Audio, "PCMU", 0, 8000)
	seq, ts := uint16(1), uint32(0)
	send := func(packets int) {
		for i := 0; i < packets; i++ {
			off := (int(seq) * 160) % (len(tone) - 160)
			pkt := pionrtp.Packet{Header: pionrtp.Header{Version: 2, PayloadType: 0, SequenceNumber: seq, Timestamp: ts, SSRC: 9},
				Payload: tone[off : off+160]}
			b, _ := pkt.Marshal()
			if _, err := h.dev.WriteToUDP(b, h.to); err != nil {
				t.Fatal(err)
			}
			seq++
			ts += 160
		}
	}
	count := func(within time.Duration) int {
		n, deadline := 0, time.After(within)
		for {
			select {
			case <-h.frames:
				n++
			case <-deadline:
				return n
			}
		}
	}
	send(50)
	if n := count(time.Second); n == 0 {
		t.Fatal("no frames before the crash")
	}
	h.system.Root.Send(h.pid, &ForcePanic{})
	time.Sleep(200 * time.Millisecond)
	send(100)
	if n := count(time.Second); n < 10 {
		t.Fatalf("%d frames after the restart, want ~15", n)
	}
}
