package viewer

import (
	"bytes"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	pionrtp "github.com/pion/rtp"
	"github.com/pion/rtp/codecs"

	"github.com/sipcast/sipcast/actors/rtp"
	"github.com/sipcast/sipcast/demo/clip"
	"github.com/sipcast/sipcast/media/clock"
	"github.com/sipcast/sipcast/media/frame"
	"github.com/sipcast/sipcast/protocol/rtph264"
)

// newTestHub is a hub outside an actor system, its handlers called directly.
func newTestHub() *Hub {
	h := &Hub{cfg: Config{Now: time.Now, MaxViewers: DefaultMaxViewers}, sinks: map[string]*Sink{},
		log: slog.New(slog.DiscardHandler)}
	h.audio, h.video = newTrack(false, 1, 1), newTrack(true, 2, 2)
	return h
}

// watch adds a viewer whose connection is up.
func watch(h *Hub, s *Sink, audio bool) {
	h.join(s, audio)
	s.start()
}

// drain takes every packet queued so far.
func drain(s *Sink) []*pionrtp.Packet {
	var out []*pionrtp.Packet
	for len(s.q) > 0 {
		out = append(out, (<-s.q).RTP)
	}
	return out
}

// loopGap is how long SIPp's looping scenarios pause between two replays of a capture.
const loopGap = 500 * time.Millisecond

// A device sending H.264 in packetization-mode 0 (single NAL units, several slices a picture)
// and restarting its stream — SIPp replaying h264-mode0.pcap again, sequence numbers and
// timestamps back to the capture's first — reaches viewers as one mode 1 stream: only the NAL
// types mode 1 allows, SPS and PPS in a STAP-A in front of every IDR, the marker on each
// picture's last packet, sequence numbers that only count up and timestamps that only go
// forward, through the restart too. Depacketised again, it is the device's pictures, unchanged.
func TestH264Mode0LoopedCaptureRepacketised(t *testing.T) {
	capture, err := clip.ReadPCAP(filepath.Join("..", "..", "bench", "testmedia", "h264-mode0.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	h := newTestHub()
	h.handleSource(nil, &rtp.Source{Video: true, Codec: "H264", ClockRate: 90000})
	sink := NewSink("v", 1<<14)
	watch(h, sink, false)

	// The device side, as the RTP actor's H.264 pipe runs it.
	zero := time.Unix(1_700_000_000, 0)
	tl := clock.NewTimeline(90000, zero)
	var depack rtph264.Depacketizer
	var sent [][][]byte // the pictures the device sent, NAL units without parameter sets
	var sps, pps []byte
	start := zero.Add(time.Second)
	for pass := 0; pass < 2; pass++ {
		for _, c := range capture {
			var pkt pionrtp.Packet
			if err := pkt.Unmarshal(c.Payload); err != nil {
				t.Fatal(err)
			}
			au, ts, err := depack.Push(&pkt)
			if err != nil || len(au) == 0 {
				continue
			}
			if s, p := rtph264.ExtractParams(au); s != nil {
				sps, pps = s, p
			}
			arrival := start.Add(c.Time)
			sent = append(sent, withoutParams(au))
			h.handleH264(nil, &frame.VideoFrame{PTS: tl.Map(ts, arrival), AU: au, Key: rtph264.IsKeyFrame(au),
				SPS: sps, PPS: pps})
		}
		start = start.Add(capture[len(capture)-1].Time + loopGap)
	}

	out := drain(sink)
	var got [][][]byte
	var picture []byte // Annex B, as pion's depacketiser makes it
	var d codecs.H264Packet
	for i, p := range out {
		if i > 0 {
			prev := out[i-1]
			if p.SequenceNumber != prev.SequenceNumber+1 {
				t.Fatalf("packet %d: seq %d after %d", i, p.SequenceNumber, prev.SequenceNumber)
			}
			if step := int32(p.Timestamp - prev.Timestamp); step < 0 || prev.Marker != (step > 0) {
				t.Fatalf("packet %d: ts step %d after marker %v", i, step, prev.Marker)
			}
		}
		if len(p.Payload) > mtu {
			t.Fatalf("packet %d: %d bytes, past the MTU", i, len(p.Payload))
		}
		switch typ := p.Payload[0] & 0x1f; {
		case typ == 5 && (picture == nil || !bytes.Contains(picture, []byte{0, 0, 1, 0x67})):
			t.Fatalf("packet %d: an IDR slice without SPS before it", i)
		case typ == 24, typ == 28, typ >= 1 && typ <= 23:
		default:
			t.Fatalf("packet %d: NAL type %d is not packetization-mode 1", i, typ)
		}
		nal, err := d.Unmarshal(p.Payload)
		if err != nil {
			t.Fatalf("packet %d: %v", i, err)
		}
		picture = append(picture, nal...)
		if p.Marker {
			got = append(got, withoutParams(splitAnnexB(picture)))
			picture = nil
		}
	}
	if len(got) != len(sent) {
		t.Fatalf("%d pictures out, %d in", len(got), len(sent))
	}
	for i := range sent {
		if len(got[i]) != len(sent[i]) {
			t.Fatalf("picture %d: %d NAL units out, %d in", i, len(got[i]), len(sent[i]))
		}
		for j := range sent[i] {
			if !bytes.Equal(got[i][j], sent[i][j]) {
				t.Fatalf("picture %d, NAL unit %d differs", i, j)
			}
		}
	}
	t.Logf("%d pictures in two replays: %d packets", len(sent), len(out))
}

// withoutParams drops SPS and PPS: the hub may add them in front of an IDR.
func withoutParams(au [][]byte) [][]byte {
	var out [][]byte
	for _, n := range au {
		if typ := n[0] & 0x1f; typ != 7 && typ != 8 {
			out = append(out, n)
		}
	}
	return out
}

func splitAnnexB(b []byte) [][]byte {
	var out [][]byte
	for _, n := range bytes.Split(b, []byte{0, 0, 0, 1}) {
		if len(n) > 0 {
			out = append(out, n)
		}
	}
	return out
}

// Frame timestamps only go forward, and a video frame's never equals the one before it.
func TestTrackTimestamps(t *testing.T) {
	for _, tc := range []struct {
		name  string
		video bool
		pts   []time.Duration
		want  []uint32 // offset 1000
	}{
		{"video follows pts", true, []time.Duration{0, 40 * time.Millisecond, 80 * time.Millisecond}, []uint32{1000, 4600, 8200}},
		{"video on the same time moves a tick", true, []time.Duration{0, 40 * time.Millisecond, 40 * time.Millisecond}, []uint32{1000, 4600, 4601}},
		{"video going back stays after", true, []time.Duration{80 * time.Millisecond, 40 * time.Millisecond}, []uint32{8200, 8201}},
		{"audio going back stays", false, []time.Duration{40 * time.Millisecond, 20 * time.Millisecond, 60 * time.Millisecond}, []uint32{1320, 1320, 1480}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := newTrack(tc.video, 1000, 0)
			src := &rtp.Source{Codec: "PCMU", ClockRate: 8000}
			if tc.video {
				src = &rtp.Source{Video: true, Codec: "H264", ClockRate: 90000}
			}
			tr.configure(src)
			for i, pts := range tc.pts {
				if got := tr.timestamp(pts); got != tc.want[i] {
					t.Fatalf("frame %d: ts %d, want %d", i, got, tc.want[i])
				}
			}
		})
	}
}
