package viewer

import (
	"testing"
	"time"

	"github.com/sipcast/sipcast/actors/rtp"
	"github.com/sipcast/sipcast/media/frame"
)

// benchFrame is an H.264 inter frame of about 4 packets.
func benchFrame() *frame.VideoFrame {
	nal := make([]byte, 4000)
	nal[0] = 0x41
	return &frame.VideoFrame{AU: [][]byte{nal}, SPS: []byte{0x67, 0x42}, PPS: []byte{0x68}}
}

// benchHub is a hub of an H.264 call with n viewers, each drained by a goroutine of its own.
func benchHub(b *testing.B, n int) *Hub {
	h := newTestHub()
	h.handleSource(nil, &rtp.Source{Video: true, Codec: "H264", ClockRate: 90000})
	stop := make(chan struct{})
	b.Cleanup(func() { close(stop) })
	for i := 0; i < n; i++ {
		s := NewSink(string(rune('a'+i)), 0)
		s.connected = true
		h.sinks[s.ID] = s
		go func() {
			for {
				select {
				case <-s.q:
				case <-stop:
					return
				}
			}
		}()
	}
	return h
}

// BenchmarkFanOut50 is the hub's cost per H.264 frame of about 4 packets for 50 viewers:
// packetised once, queued 50 times, never copied per viewer.
func BenchmarkFanOut50(b *testing.B) {
	h, f := benchHub(b, 50), benchFrame()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		f.PTS = time.Duration(i) * 40 * time.Millisecond
		h.handleH264(nil, f)
		i++
	}
}

// BenchmarkFanOut0 is the same frame with nobody watching: every call with a toStream pays it,
// so it must be next to nothing (no packetising, no allocation).
func BenchmarkFanOut0(b *testing.B) {
	h, f := benchHub(b, 0), benchFrame()
	audio := &frame.RawAudio{Data: make([]byte, 160)}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		f.PTS = time.Duration(i) * 40 * time.Millisecond
		h.handleH264(nil, f)
		h.handleAudio(nil, audio)
		h.handleAudio(nil, audio)
		i++
	}
}
