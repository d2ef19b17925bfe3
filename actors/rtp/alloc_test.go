package rtp

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/demo/clip"
	"github.com/sipcast/sipcast/media/frame"
	"github.com/sipcast/sipcast/protocol/sdp"
)

// The media paths allocate nothing per RTP packet in steady state. What they do allocate is the
// frame each completed unit becomes: a message that leaves the actor for every publisher of the
// call, which may keep it (an HLS part, the gap filler's key frame), so it cannot be reused.
// Each test runs whole loops of packets and fails if anything is allocated beyond those frames.

const (
	// videoAllocsPerFrame: the access unit's bytes, its NAL unit slice and the VideoFrame.
	videoAllocsPerFrame = 3
	// audioAllocsPerFrame: the AudioFrame and its AAC bytes.
	audioAllocsPerFrame = 2
)

// backgroundAllocs is the slack for what the runtime and the test framework allocate meanwhile
// (AllocsPerRun counts the whole process): one in 50 packets, a few per loop of the capture, while
// a single allocation per packet, or per 50, fails.
func backgroundAllocs(packets int) int { return packets / 50 }

// checkAllocs runs loop (which sends packets packets) once to warm up, counts the frames a
// second run makes, and then fails if a run allocates more than perFrame for each of them, give or
// take backgroundAllocs.
func checkAllocs(t *testing.T, loop func(), packets int, frames func() int, perFrame int) {
	t.Helper()
	loop()
	f0 := frames()
	loop()
	n := frames() - f0
	if n == 0 {
		t.Fatal("a loop made no frame")
	}
	allocs := testing.AllocsPerRun(3, loop)
	perPacket := (allocs - float64(perFrame*n)) / float64(packets)
	t.Logf("%d packets, %d frames: %.0f allocs, %.2f per frame, %.3f per packet beyond the frames",
		packets, n, allocs, allocs/float64(n), perPacket)
	if allocs > float64(perFrame*n+backgroundAllocs(packets)) {
		t.Errorf("%.0f allocs for %d packets and %d frames, want at most %d per frame and none per packet",
			allocs, packets, n, perFrame)
	}
}

// TestVideoPathAllocs: the committed H.264 capture through the H.264 pipe.
func TestVideoPathAllocs(t *testing.T) {
	src := videoPackets(t)
	zero := time.Now()
	var out countSink
	v := newH264Pipe(&Configure{Codec: sdp.NameH264, ClockRate: 90000, Zero: zero}, 0, &out)
	var pkt pionrtp.Packet
	loop := func() {
		for range src.raw {
			if err := pkt.Unmarshal(src.next()); err != nil {
				t.Fatal(err)
			}
			v.push(&pkt, zero, 0)
		}
	}
	checkAllocs(t, loop, len(src.raw), func() int { return out.frames }, videoAllocsPerFrame)
}

// TestPacketPathAllocs: the same capture through the actor's whole per-packet path, the jitter
// buffer, statistics and lip sync included, to a subscriber's mailbox.
func TestPacketPathAllocs(t *testing.T) {
	src := videoPackets(t)
	a := newPacketPathActor(t)
	var got atomic.Int64
	a.subscribers = []*actor.PID{a.system.Root.Spawn(actor.PropsFromFunc(func(c actor.Context) {
		if _, ok := c.Message().(*frame.VideoFrame); ok {
			got.Add(1)
		}
	}))}
	m := &packetRead{}
	loop := func() {
		for range src.raw {
			m.buf, m.arrival = src.next(), time.Now()
			m.buf[1] = m.buf[1]&0x80 | 96
			a.handlePacket(nil, m)
		}
	}
	frames := func() int {
		// The subscriber counts on its own goroutine: wait until the count stops moving.
		for n := got.Load(); ; {
			time.Sleep(20 * time.Millisecond)
			if m := got.Load(); m == n {
				return int(n)
			} else {
				n = m
			}
		}
	}
	checkAllocs(t, loop, len(src.raw), frames, videoAllocsPerFrame)
}

// TestAudioPathAllocs: G.711 µ-law packets through the G.711 pipe to AAC. 160 packets of 160
// samples are exactly 25 AAC frames of 1024.
func TestAudioPathAllocs(t *testing.T) {
	const samples, packets = 160, 160
	tone := clip.ToneUlaw()
	zero := time.Now()
	var out countSink
	a, err := newG711Pipe(&Configure{Codec: sdp.NamePCMU, ClockRate: 8000, Zero: zero}, 0, &out)
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	pkt := pionrtp.Packet{Header: pionrtp.Header{Version: 2, SSRC: 1}}
	n := 0
	loop := func() {
		for range packets {
			pkt.SequenceNumber, pkt.Timestamp = uint16(n), uint32(n*samples)
			off := (n * samples) % (len(tone) - samples)
			pkt.Payload = tone[off : off+samples]
			a.push(&pkt, zero.Add(time.Duration(n)*20*time.Millisecond), 0)
			n++
		}
	}
	checkAllocs(t, loop, packets, func() int { return out.frames }, audioAllocsPerFrame)
}
