package rtmp

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/internal/metrics"
	"github.com/sipcast/sipcast/media/frame"
)

func (a *Actor) handleVideo(ctx actor.Context, f *frame.VideoFrame) {
	t := a.kept.tracks
	if t == nil || !t.Video {
		return
	}
	if a.waitingKey {
		if !f.Key || f.SPS == nil || f.PPS == nil {
			return
		}
		a.waitingKey = false
	}
	if f.Key && (a.written == nil || !equal(a.written.sps, f.SPS) || !equal(a.written.pps, f.PPS)) {
		// New parameter sets (or a new connection) need sequence headers, which gortmplib sends
		// only when a Writer is initialised (and parses the SPS for, panicking on a bad one).
		if !a.checkParams(ctx, f) {
			return
		}
		init := &trackInit{sps: f.SPS, pps: f.PPS, audio: t.Audio, aac: t.AAC}
		if !a.enqueue(ctx, item{init: init}) {
			return
		}
		a.written = init
	}
	a.begin(f.PTS)
	a.enqueue(ctx, item{video: f.AU, pts: a.videoDTS.NextStrict(f.PTS - a.offset)})
}

func (a *Actor) handleAudio(f *frame.AudioFrame) {
	t := a.kept.tracks
	if t == nil || t.Audio == frame.NoAudio {
		return
	}
	if t.Video && (a.waitingKey || a.written == nil) {
		// Video leads: audio joins once a keyframe went out, and pauses while video waits for
		// the next one after a drop, so a player never gets sound ahead of the picture.
		return
	}
	if a.written == nil {
		init := &trackInit{audio: t.Audio, aac: t.AAC}
		if !a.enqueue(nil, item{init: init}) {
			return
		}
		a.written = init
	}
	a.begin(f.PTS)
	if f.PTS < a.offset {
		return
	}
	data := a.audioData(f.Data)
	if data == nil {
		return
	}
	a.enqueue(nil, item{audio: data, pts: a.audioDTS.Next(f.PTS - a.offset)})
}

// begin fixes the timeline offset at the very first frame written, so the RTMP stream starts
// at 0. It is never reset: after a reconnect the stream continues on the same timeline.
func (a *Actor) begin(pts time.Duration) {
	if !a.started {
		a.started, a.offset = true, pts
	}
}

// enqueue hands an item to the writer without ever blocking the mailbox. When the queue is full,
// or the writer, with items still to write, lags more than maxLag behind, the frame is dropped
// and video restarts at the next keyframe (audio pauses until then); memory stays bounded by the
// queue.
//
// A writer that has written everything it was given lags by nothing, however old its last frame:
// after a drop nothing is enqueued until a keyframe, so the last frame written only gets older,
// and measured against it every later keyframe was dropped too — a stream left ACTIVE that never
// carried a frame again (found at 250 calls on a saturated box, where the writer took longer to
// drain its queue than the next keyframe took to come).
func (a *Actor) enqueue(ctx actor.Context, it item) bool {
	if it.init == nil {
		if a.writtenSeq.Load() == a.enqueuedSeq {
			a.caughtUp = it.pts // the writer has nothing left: it stands at live
		} else if w := a.writtenPTS.Load(); w >= 0 && it.pts-max(time.Duration(w), a.caughtUp) > maxLag {
			return a.drop(ctx, it, "lag")
		}
	}
	it.seq = a.enqueuedSeq + 1
	select {
	case a.items <- it:
		a.enqueuedSeq = it.seq
		return true
	default:
		return a.drop(ctx, it, "queue full")
	}
}

// drop discards an item the writer cannot take in time. Video then waits for the next keyframe
// (and audio with it), so whole groups of pictures go, never half of one.
func (a *Actor) drop(ctx actor.Context, it item, why string) bool {
	a.dropped++
	metrics.RTMPDropped.Inc()
	if it.init != nil {
		a.written = nil
	}
	if !a.waitingKey && a.kept.tracks != nil && a.kept.tracks.Video {
		a.waitingKey = true
		if ctx != nil {
			ctx.Send(a.parent, &frame.KeyframeNeeded{})
		}
	}
	if a.dropped == 1 || a.dropped%1000 == 0 {
		a.log.Warn("frames dropped", "err", ErrQueueFull, "why", why, "dropped", a.dropped)
	}
	return false
}

// maxLag is how far behind live the writer may fall before frames are dropped: kernel buffers
// are not counted, so a slow server is caught by the time media would turn stale, whatever the
// queue's length.
const maxLag = 2 * time.Second

func equal(a, b []byte) bool { return string(a) == string(b) }
