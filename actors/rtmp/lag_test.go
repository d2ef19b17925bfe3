package rtmp

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/sipcast/sipcast/media/frame"
)

// lagPublisher is a publisher of a video-only stream whose writer the test plays: write takes n
// items off the queue and records them as writerLoop does.
type lagPublisher struct {
	*Actor
	t        *testing.T
	aus      [][][]byte
	sps, pps []byte
}

func newLagPublisher(t *testing.T) *lagPublisher {
	aus, sps, pps := captureAUs(t)
	a := &Actor{log: slog.New(slog.NewTextHandler(io.Discard, nil)), kept: &kept{tracks: &frame.Tracks{Video: true}},
		items: make(chan item, queueLen)}
	a.writtenPTS.Store(-1)
	return &lagPublisher{Actor: a, t: t, aus: aus, sps: sps, pps: pps}
}

func (p *lagPublisher) frame(pts time.Duration, key bool) {
	f := &frame.VideoFrame{PTS: pts, AU: p.aus[1], Key: key}
	if key {
		f.AU, f.SPS, f.PPS = p.aus[0], p.sps, p.pps
	}
	p.handleVideo(nil, f)
}

func (p *lagPublisher) write(n int) {
	for range n {
		p.wrote(<-p.items)
	}
}

// The lag check drops frames while the writer falls more than maxLag behind, and lets the stream
// resume at a keyframe once the writer has caught up — however long ago the last frame it wrote
// is, since nothing was enqueued after the drop. Before, every later keyframe was measured against
// that ever older frame and dropped: the stream stayed ACTIVE with no frame again.
func TestLagDropResumesOnceTheWriterCaughtUp(t *testing.T) {
	p := newLagPublisher(t)
	const frameDur = 40 * time.Millisecond
	p.frame(0, true)
	p.write(2) // the sequence headers and the keyframe
	for pts := frameDur; pts <= 2*time.Second+frameDur; pts += frameDur {
		p.frame(pts, false) // the server stalls: the writer writes none of these (it stood at 40 ms)
	}
	queued := len(p.items)
	p.frame(2*time.Second+2*frameDur, false)
	if p.dropped != 1 || !p.waitingKey || len(p.items) != queued {
		t.Fatalf("2.04 s ahead of the writer: dropped %d, waiting for a keyframe %v, queue %d → %d; want the frame dropped",
			p.dropped, p.waitingKey, queued, len(p.items))
	}

	p.write(5) // the server takes a little: the writer is at 0.2 s
	p.frame(3*time.Second, true)
	if p.dropped != 2 || len(p.items) != queued-5 {
		t.Fatalf("a keyframe 2.8 s ahead of a writer still behind: dropped %d, queue %d; want it dropped", p.dropped, len(p.items))
	}

	p.write(len(p.items)) // the writer catches up with all it was given (2.04 s)
	p.frame(4100*time.Millisecond, true)
	if p.waitingKey || len(p.items) != 1 {
		t.Fatalf("a keyframe at 4.1 s after the writer caught up: waiting for a keyframe %v, queue %d; want it enqueued",
			p.waitingKey, len(p.items))
	}
	// The writer has the keyframe still to write: it is 40 ms behind, not 2.1 s.
	p.frame(4100*time.Millisecond+frameDur, false)
	if len(p.items) != 2 || p.dropped != 2 {
		t.Fatalf("the frame after the keyframe: queue %d, dropped %d; want it enqueued", len(p.items), p.dropped)
	}
	p.write(2)
	p.frame(5100*time.Millisecond, true)
	if len(p.items) != 1 || p.dropped != 2 {
		t.Errorf("the next keyframe: queue %d, dropped %d; want it enqueued", len(p.items), p.dropped)
	}
}
