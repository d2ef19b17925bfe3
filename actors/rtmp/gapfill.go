package rtmp

import (
	"time"

	"github.com/sipcast/sipcast/media/frame"
)

// Gap filling keeps a published stream flowing while the device sends nothing on a line (hold,
// inactive, a muted camera, seconds of loss): live platforms end or mark unhealthy a broadcast
// whose video stops, and players stall. A track silent for longer than the threshold goes on
// with its last keyframe, re-sent once a second with advancing timestamps, and with silent
// audio frames, on the timeline the real media would have had; the real media takes over again
// (video on its next keyframe) with no jump.
const (
	// DefaultGapFill is how long a track may go without a frame before it is filled.
	DefaultGapFill = 500 * time.Millisecond
	// fillKeyEvery is how often the last keyframe is re-sent: a steady picture rate players and
	// platforms accept, at the cost of one keyframe a second.
	fillKeyEvery = time.Second
	// fillResumeEvery is the picture rate of a fill once the device sends video again: its
	// keyframe (asked for at once) then joins the fill closely instead of up to a second after.
	fillResumeEvery = 200 * time.Millisecond
	// fillTick is how often the publisher looks for gaps and writes what is due: audio frames
	// go out in bursts of up to this much, well inside any player's buffer.
	fillTick = 100 * time.Millisecond
	// slateAfter is how long a video track may go without any keyframe from the start of
	// publishing before the slate shows (at least the gap threshold): time for the device's
	// first keyframe, or its answer to a keyframe request, so a normal start never shows black.
	slateAfter = 2 * time.Second
	// maxFillBurst bounds the audio frames one late tick writes: after a stall of the process,
	// the fill restarts at the present rather than writing seconds of silence at once.
	maxFillBurst = 2 * time.Second
)

// gapFiller decides, from the arrival of the real frames and an injected clock (every method
// takes now), when a track is in a gap and which filler frames are due. It is pure and
// single-threaded: the publisher actor owns it and builds the frames' bytes.
type gapFiller struct {
	after time.Duration // a track silent this long is filled
	// audioStep is the length of one audio frame of the stream (0: audio is not filled).
	audioStep    time.Duration
	video, audio fillTrack
	key          *frame.VideoFrame // the last keyframe with its parameter sets
	// slate gives the nth picture to show on a video track that never had one (nil: none);
	// since is when publishing started, from which its absence counts.
	slate  func(n int) *frame.VideoFrame
	slates int
	since  time.Time
	ticked time.Time     // the last tick while filling, for the filled time
	filled time.Duration // wall time with at least one track filled, not yet counted
}

// fillTrack is one track's state: where its last real frame sat, in wall time and on the call's
// timeline, and where the next filler frame goes.
type fillTrack struct {
	seen    bool
	at      time.Time     // arrival of the last real frame
	pts     time.Duration // its timeline position
	filling bool
	next    time.Duration // timeline position of the next filler frame
	last    time.Duration // video: the last fill picture's position
	asked   bool          // video: a real frame came during the fill, and a keyframe was asked for
}

// position is where the track's timeline stands at now: the last real frame's position plus
// the wall time since, which is where its next real frame will land once the device resumes.
func (t *fillTrack) position(now time.Time) time.Duration { return t.pts + now.Sub(t.at) }

// real records a real frame taken.
func (t *fillTrack) real(pts time.Duration, now time.Time) {
	t.seen, t.at, t.pts, t.filling, t.asked = true, now, pts, false, false
}

// fillOut is what one tick wants written, in this order: audio first, since it back-fills from
// the last real audio frame, then the video picture at the present.
type fillOut struct {
	audio []time.Duration // positions of silent audio frames
	video *frame.VideoFrame
}

// realVideo tells the filler of a real video frame; it reports whether to publish it. While
// the track is filled, only a keyframe with parameter sets ends the fill: a frame that depends
// on pictures the player never got would show garbage. resumed is true for the first real frame
// dropped that way, so the publisher can ask the device for a keyframe at once.
func (g *gapFiller) realVideo(f *frame.VideoFrame, now time.Time) (take, resumed bool) {
	keyframe := f.Key && f.SPS != nil && f.PPS != nil
	if keyframe {
		g.key = f
	}
	if v := &g.video; v.filling && !keyframe {
		resumed = !v.asked
		if resumed {
			v.asked, v.next = true, min(v.next, v.last+fillResumeEvery)
		}
		return false, resumed
	}
	g.video.real(f.PTS, now)
	return true, false
}

// realAudio tells the filler of a real audio frame at pts; it reports whether to publish it,
// and the positions of the silent frames to write before it. Silence already written covers up
// to the fill's position: a real frame before it (the jitter buffer's lag, a pacer's own hole
// filling) is dropped rather than stamped twice; a real frame beyond it (the resumed line
// arrives with less delay than before the gap, or between two ticks) gets the hole up to it
// filled at once, so the audio track has no gap.
func (g *gapFiller) realAudio(pts time.Duration, now time.Time) (take bool, fill []time.Duration) {
	a := &g.audio
	if a.filling {
		if pts < a.next-g.audioStep/2 {
			return false, nil
		}
		for n := 0; a.next <= pts-g.audioStep/2 && n < int(maxFillBurst/g.audioStep); n++ {
			fill = append(fill, a.next)
			a.next += g.audioStep
		}
	}
	a.real(pts, now)
	return true, fill
}

// filling reports which tracks are being filled.
func (g *gapFiller) filling() (video, audio bool) { return g.video.filling, g.audio.filling }

// restart makes every gap start counting at now: after a reconnect, frames kept from before
// say nothing of the device.
func (g *gapFiller) restart(now time.Time) {
	for _, t := range []*fillTrack{&g.video, &g.audio} {
		if t.seen {
			t.pts, t.at, t.filling = t.position(now), now, false
		}
	}
	g.ticked, g.since = time.Time{}, now
}

// takeFilled returns the filled wall time since the last call.
func (g *gapFiller) takeFilled() time.Duration {
	d := g.filled
	g.filled = 0
	return d
}

// tick returns the filler frames due at now.
func (g *gapFiller) tick(now time.Time) fillOut {
	var out fillOut
	if g.audioStep > 0 && g.audio.seen && now.Sub(g.audio.at) >= g.after {
		a := &g.audio
		if !a.filling {
			a.filling, a.next = true, a.pts+g.audioStep
		}
		pos := a.position(now)
		if pos-a.next > maxFillBurst {
			a.next = pos - g.audioStep
		}
		for ; a.next <= pos; a.next += g.audioStep {
			out.audio = append(out.audio, a.next)
		}
	}
	if g.key == nil && g.slate != nil && g.audio.seen && !g.since.IsZero() && now.Sub(g.since) >= max(g.after, slateAfter) {
		// No keyframe ever (no video, or only pictures that need one): a slate on the audio's
		// timeline, so the stream plays (audio waits for video on an FLV with both) until the
		// device's first keyframe.
		v := &g.video
		if pos := g.audio.position(now); !v.filling || pos >= v.next {
			if !v.filling || pos-v.next > fillKeyEvery {
				v.next = pos // the first slate, or one after a stall: from now on
			}
			v.filling, v.last = true, v.next
			out.video = g.slate(g.slates)
			out.video.PTS = v.next
			v.next += fillKeyEvery
			g.slates++
		}
	}
	if g.key != nil && g.video.seen && now.Sub(g.video.at) >= g.after {
		v := &g.video
		pos := v.position(now)
		if !v.filling || pos >= v.next {
			if !v.filling || pos-v.next > fillKeyEvery {
				v.next = pos // the first picture, or one after a stall: from now on
			}
			v.filling, v.last = true, v.next
			out.video = &frame.VideoFrame{PTS: v.next, AU: g.key.AU, Key: true, SPS: g.key.SPS, PPS: g.key.PPS}
			if v.asked {
				v.next += fillResumeEvery
			} else {
				v.next += fillKeyEvery
			}
		}
	}
	if g.video.filling || g.audio.filling {
		if !g.ticked.IsZero() {
			g.filled += now.Sub(g.ticked)
		}
		g.ticked = now
	} else {
		g.ticked = time.Time{}
	}
	return out
}
