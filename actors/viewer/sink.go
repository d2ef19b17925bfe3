package viewer

import (
	"sync/atomic"

	"github.com/sipcast/sipcast/internal/metrics"
)

// DefaultQueue is a viewer's queue length in packets: about a second of 2 Mbit/s video, enough
// for a key frame's burst, small enough that a viewer who fell behind is not shown old pictures.
const DefaultQueue = 512

// Sink is one viewer's end of the stream: a bounded queue the hub fills without ever waiting,
// drained by the viewer's own goroutine (its WebRTC session). A viewer that does not keep up
// loses packets, never the call's time: audio packets singly, video from the packet that found
// the queue full to the next key frame (a picture with a hole in it would be broken until then).
type Sink struct {
	ID string
	q  chan Packet
	// Hub-side state: only the hub's actor touches it.
	dropping bool // video is being dropped until the next key frame
	waitKey  bool // a new viewer: video starts at the next key frame
	// connected: the viewer's connection is up (ViewerConnected); nothing is queued before.
	connected bool
	closed    bool
	audio     bool // the viewer takes the audio line (AddViewer.Audio)
	// Dropped counts packets not queued, for the session's log line.
	Dropped atomic.Uint64
}

// NewSink makes a viewer's queue of n packets (0: DefaultQueue).
func NewSink(id string, n int) *Sink {
	if n <= 0 {
		n = DefaultQueue
	}
	return &Sink{ID: id, q: make(chan Packet, n)}
}

// Packets is what the viewer sends, in order; it is closed when the stream ends for this
// viewer (the call ended, or the hub let it go).
func (s *Sink) Packets() <-chan Packet { return s.q }

// offer queues p without waiting. It reports whether video was dropped for want of room, so
// the hub can ask for the key frame that resumes it.
func (s *Sink) offer(p Packet) (lostVideo bool) {
	if s.closed || !s.connected {
		return false
	}
	if p.Video && (s.dropping || s.waitKey) {
		if !p.Key {
			if s.dropping {
				s.drop(p)
			}
			return false
		}
		s.dropping, s.waitKey = false, false
	}
	select {
	case s.q <- p:
		metrics.ViewerBytes.Add(uint64(len(p.RTP.Payload)))
		return false
	default:
		s.drop(p)
		if p.Video {
			s.dropping = true
			return true
		}
		return false
	}
}

func (s *Sink) drop(p Packet) {
	s.Dropped.Add(1)
	kind := "audio"
	if p.Video {
		kind = "video"
	}
	metrics.ViewerDropped.With(kind).Inc()
}

// start lets packets into the queue, video from the next key frame: inter frames before one
// decode to nothing.
func (s *Sink) start() { s.connected, s.waitKey = true, true }

// close ends the viewer's stream (hub side, once).
func (s *Sink) close() {
	if !s.closed {
		s.closed = true
		close(s.q)
	}
}
