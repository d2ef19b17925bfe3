package rtp

import (
	"bytes"
	"net"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/media/blackframe"
	"github.com/sipcast/sipcast/protocol/dtmf"
)

// The device's side of a line: silence sent to it, its silence noticed, its telephone events
// taken, its real address latched. A parent actor collects what the RTP actor reports; the
// device is a plain UDP socket.

type peerHarness struct {
	system *actor.ActorSystem
	pid    *actor.PID // the RTP actor
	events chan any   // what it told its parent
	dev    *net.UDPConn
	to     *net.UDPAddr // the actor's RTP port
}

func newPeerHarness(t *testing.T, peer func(dev *net.UDPAddr) *Peer) *peerHarness {
	t.Helper()
	return newLineHarness(t, Audio, &Configure{Codec: "PCMU", PayloadType: 0, ClockRate: 8000, Zero: time.Now()}, peer)
}

// newLineHarness is newPeerHarness for a line of any kind, configured with conf.
func newLineHarness(t *testing.T, kind Kind, conf *Configure, peer func(dev *net.UDPAddr) *Peer) *peerHarness {
	t.Helper()
	ports, err := NewPorts(net.ParseIP("127.0.0.1"), 48000, 48999)
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
	h := &peerHarness{system: actor.NewActorSystem(), events: make(chan any, 64), dev: dev,
		to: &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: pair.Port}}
	ready := make(chan *actor.PID, 1)
	devAddr := dev.LocalAddr().(*net.UDPAddr)
	parent := h.system.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		switch m := ctx.Message().(type) {
		case *actor.Started:
			pid := ctx.Spawn(NewProps(Config{Kind: kind, CallID: "t", Pair: pair}))
			ctx.Send(pid, conf)
			ctx.Send(pid, peer(devAddr))
			ready <- pid
		case *MediaTimedOut, *MediaResumed, *DTMFReceived, *Latched:
			h.events <- m
		}
	}))
	h.pid = <-ready
	t.Cleanup(func() {
		_ = h.system.Root.StopFuture(parent).Wait()
		h.system.Shutdown()
		dev.Close()
	})
	return h
}

func (h *peerHarness) event(t *testing.T, within time.Duration) any {
	t.Helper()
	select {
	case e := <-h.events:
		return e
	case <-time.After(within):
		t.Fatal("no event")
		return nil
	}
}

func (h *peerHarness) send(t *testing.T, p *pionrtp.Packet, from *net.UDPConn) {
	t.Helper()
	b, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := from.WriteToUDP(b, h.to); err != nil {
		t.Fatal(err)
	}
}

// sendRun sends n packets in sequence from one source, as a device proving itself does.
func (h *peerHarness) sendRun(t *testing.T, from *net.UDPConn, pt uint8, ssrc uint32, seq uint16, n int) {
	t.Helper()
	for i := range n {
		h.send(t, &pionrtp.Packet{Header: pionrtp.Header{Version: 2, PayloadType: pt, SSRC: ssrc,
			SequenceNumber: seq + uint16(i), Timestamp: uint32(i) * 160}, Payload: payloadFor(pt)}, from)
	}
}

// payloadFor is a small valid payload of the payload types these tests use.
func payloadFor(pt uint8) []byte {
	if pt >= 96 {
		return []byte{0x41, 0x9a, 0x02, 0x03} // an H.264 non-IDR slice
	}
	return make([]byte, 160)
}

// Silence is one RTP stream: packets of 20 ms of silence in the line's codec (G.711 zero samples,
// or the Opus silence frame), consecutive sequence numbers, timestamps in whole packets of the
// codec's clock, the marker on the first only, one SSRC. On a video line, a black keyframe every
// 500 ms: H.264 as three single NAL unit packets (SPS, PPS, IDR) of one timestamp, VP8 as one
// packet behind a one-byte descriptor, the marker on each frame's last packet, 45000 ticks of the
// 90 kHz clock between frames.
func TestSilenceSent(t *testing.T) {
	single := func(payload []byte) func(int) [][]byte { return func(int) [][]byte { return [][]byte{payload} } }
	for _, tc := range []struct {
		name   string
		kind   Kind
		codec  string
		pt     uint8
		frame  func(n int) [][]byte // the packets' payloads of the nth frame
		frames int                  // how many to check
		step   uint32
		maxDTS uint32 // between two frames: ticks late or lost, never seconds
	}{
		{"PCMU", Audio, "PCMU", 0, single(bytes.Repeat([]byte{0xFF}, 160)), 10, 160, 160 * 50},
		{"PCMA", Audio, "PCMA", 8, single(bytes.Repeat([]byte{0xD5}, 160)), 10, 160, 160 * 50},
		{"OPUS", Audio, "OPUS", 111, single([]byte{0xF8, 0xFF, 0xFE}), 10, 960, 960 * 50},
		{"SPEEX", Audio, "SPEEX", 97, single(speexNBSilence), 10, 160, 160 * 50},
		{"SPEEX/16000", Audio, "SPEEX/16000", 98, single(speexWBSilence), 10, 320, 320 * 50},
		{"H264 video", Video, "H264", 112, blackframe.H264, 3, 45000, 45000 * 4},
		{"VP8 video", Video, "VP8", 96, single(append([]byte{0x10}, blackframe.VP8()...)), 3, 45000, 45000 * 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := uint32(8000)
			if tc.kind == Video {
				clock = 90000
			}
			conf := &Configure{Codec: tc.codec, PayloadType: tc.pt, ClockRate: clock, Zero: time.Now()}
			h := newLineHarness(t, tc.kind, conf, func(dev *net.UDPAddr) *Peer {
				return &Peer{RTP: dev, Silence: true, SilenceCodec: tc.codec, SilencePT: tc.pt, TelephoneEvent: -1}
			})
			buf := make([]byte, 1500)
			var prev *pionrtp.Packet
			for n := 0; n < tc.frames; n++ {
				want := tc.frame(n)
				for i := range want {
					_ = h.dev.SetReadDeadline(time.Now().Add(2 * time.Second))
					nb, _, err := h.dev.ReadFromUDP(buf)
					if err != nil {
						t.Fatalf("frame %d packet %d: %v", n, i, err)
					}
					var p pionrtp.Packet
					if err := p.Unmarshal(append([]byte(nil), buf[:nb]...)); err != nil {
						t.Fatal(err)
					}
					mark := n == 0 // audio: a talkspurt's start
					if tc.kind == Video {
						mark = i == len(want)-1
					}
					if p.PayloadType != tc.pt || !bytes.Equal(p.Payload, want[i]) || p.Marker != mark {
						t.Fatalf("frame %d packet %d: %+v, payload % x", n, i, p.Header, p.Payload[:min(len(p.Payload), 16)])
					}
					if tc.codec == "H264" && p.Payload[0]&0x1f != []byte{7, 8, 5}[i] {
						t.Fatalf("frame %d packet %d: NAL type %d", n, i, p.Payload[0]&0x1f)
					}
					if prev != nil {
						dts := p.Timestamp - prev.Timestamp
						sameFrame := i > 0
						if p.SequenceNumber != prev.SequenceNumber+1 || p.SSRC != prev.SSRC ||
							(sameFrame && dts != 0) || (!sameFrame && (dts%tc.step != 0 || dts == 0 || dts > tc.maxDTS)) {
							t.Fatalf("frame %d packet %d after %+v: %+v", n, i, prev.Header, p.Header)
						}
					}
					prev = &p
				}
			}
		})
	}
}

func TestMediaTimeoutAndResume(t *testing.T) {
	h := newPeerHarness(t, func(dev *net.UDPAddr) *Peer {
		return &Peer{RTP: dev, Receives: true, TelephoneEvent: -1, Timeout: time.Second, StartTimeout: time.Second}
	})
	if m, ok := h.event(t, 5*time.Second).(*MediaTimedOut); !ok || m.Started || m.Kind != Audio {
		t.Fatalf("want a timeout before the first packet, got %#v", m)
	}
	h.send(t, &pionrtp.Packet{Header: pionrtp.Header{Version: 2, PayloadType: 0, SSRC: 7}, Payload: make([]byte, 160)}, h.dev)
	if _, ok := h.event(t, 5*time.Second).(*MediaResumed); !ok {
		t.Fatal("no MediaResumed")
	}
	if m, ok := h.event(t, 5*time.Second).(*MediaTimedOut); !ok || !m.Started || m.Silence < time.Second {
		t.Fatalf("want a timeout after the media stopped, got %#v", m)
	}
}

// The device's first packet comes from elsewhere than its SDP said (NAT): with latching, the
// silence goes there from then on.
func TestLatching(t *testing.T) {
	natted, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer natted.Close()
	h := newPeerHarness(t, func(dev *net.UDPAddr) *Peer {
		return &Peer{RTP: dev, Silence: true, SilenceCodec: "PCMA", SilencePT: 8, Latch: true, TelephoneEvent: -1}
	})
	h.sendRun(t, natted, 0, 9, 1, probation)
	if m, ok := h.event(t, 5*time.Second).(*Latched); !ok || m.RTP.Port != natted.LocalAddr().(*net.UDPAddr).Port {
		t.Fatalf("latched %#v", m)
	}
	buf := make([]byte, 1500)
	_ = natted.SetReadDeadline(time.Now().Add(2 * time.Second))
	n, _, err := natted.ReadFromUDP(buf)
	if err != nil || n != 172 || buf[1]&0x7f != 8 || buf[12] != 0xD5 {
		t.Fatalf("no A-law silence at the latched address: %d %v", n, err)
	}
}

// RFC 4733 events from the device: each digit once, at its end, with its duration, whatever the
// repeats and the audio around them.
func TestTelephoneEventsReceived(t *testing.T) {
	h := newPeerHarness(t, func(dev *net.UDPAddr) *Peer {
		return &Peer{RTP: dev, Receives: true, TelephoneEvent: 101}
	})
	seq := uint16(100)
	for _, ev := range []struct {
		ts    uint32
		event uint8
	}{{8000, 5}, {16000, dtmf.EventPound}} {
		for i, d := range []uint16{160, 320, 480, 800, 800, 800} {
			end := i >= 3
			payload := dtmf.Payload{Event: ev.event, End: end, Volume: 10, Duration: d}.Marshal(nil)
			h.send(t, &pionrtp.Packet{Header: pionrtp.Header{Version: 2, PayloadType: 101, SequenceNumber: seq,
				Timestamp: ev.ts, SSRC: 3, Marker: i == 0}, Payload: payload}, h.dev)
			seq++
		}
	}
	for _, want := range []byte{'5', '#'} {
		d, ok := h.event(t, 5*time.Second).(*DTMFReceived)
		if !ok || d.Digit != want || d.Duration != 100*time.Millisecond {
			t.Fatalf("got %#v, want %q for 100 ms", d, want)
		}
	}
	select {
	case e := <-h.events:
		t.Fatalf("extra event %#v", e)
	case <-time.After(300 * time.Millisecond):
	}
}
