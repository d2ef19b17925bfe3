package clock

import "time"

const (
	// MaxJump is the largest forward step of the RTP clock that is still
	// taken as the same stream. Longer silences (DTX, hold) are rare and
	// re-anchoring on arrival places them correctly anyway; a step this big
	// is far more often a restarted device or a looped pcap replay.
	MaxJump = 10 * time.Second

	// MaxReorder is how far behind the newest packet a timestamp may fall and
	// still be a late, reordered packet kept on the RTP clock. Anything older
	// is useless to a live stream, so a step further back is a restart.
	MaxReorder = 500 * time.Millisecond

	// MaxStall is how far a packet may arrive behind its place on the RTP
	// clock before that clock counts as having stood still: a device that
	// held the call or muted a line and then resumed its timestamps where
	// they stopped. Mapped by RTP, its media would land seconds in the past,
	// behind what the publishers filled the hole with and behind the other
	// line; it re-anchors on arrival instead. Network delay spikes stay well
	// under it, and clock drift reaches it only after hours (then the step is
	// one forward jump of MaxStall).
	MaxStall = 3 * time.Second
)

// Timeline maps one RTP stream's timestamps to a duration since the call's
// zero instant. The zero value is not usable; call NewTimeline.
type Timeline struct {
	rate     uint32
	zero     time.Time
	maxFwd   int64 // MaxJump in RTP ticks
	maxBack  int64 // MaxReorder in RTP ticks
	anchored bool

	highTS  uint32        // newest timestamp since the anchor
	highExt int64         // highTS unwrapped, in ticks after the anchor packet
	base    time.Duration // presentation time of the anchor packet
	latest  time.Duration // largest result so far; anchors never go below it
}

// NewTimeline returns a Timeline for a stream with the given RTP clock rate
// (8000 for G.711, 90000 for video) on a call that started at zero. A zero
// clockRate leaves no RTP clock to follow: every packet is then placed at
// its arrival, never going backwards.
func NewTimeline(clockRate uint32, zero time.Time) *Timeline {
	return &Timeline{
		rate:    clockRate,
		zero:    zero,
		maxFwd:  durationToTicks(MaxJump, clockRate),
		maxBack: durationToTicks(MaxReorder, clockRate),
	}
}

// Map returns the presentation time of a packet with RTP timestamp ts that
// arrived at arrival. The result is never negative.
//
// The first packet is anchored at arrival-zero. Later ones follow the RTP
// clock, unwrapping the 32-bit wrap-around, so network jitter does not reach
// the timeline. A packet up to MaxReorder behind the newest is a late one:
// it stays on the RTP clock and may map earlier than its predecessor (clamp
// with Monotonic where order matters). A forward step beyond MaxJump or a
// backward one beyond MaxReorder is a stream restart, and a packet arriving
// more than MaxStall after its place is a clock that stood still: the packet re-anchors
// on its arrival, or on the latest time already returned if that is later,
// so the timeline continues and never goes backwards.
func (t *Timeline) Map(ts uint32, arrival time.Time) time.Duration {
	if !t.anchored || t.rate == 0 {
		return t.anchor(ts, arrival)
	}
	// The signed 32-bit difference is the shortest way round the wrap.
	delta := int64(int32(ts - t.highTS))
	if delta > t.maxFwd || delta < -t.maxBack {
		return t.anchor(ts, arrival)
	}
	ext := t.highExt + delta
	if arrival.Sub(t.zero)-(t.base+ticksToDuration(ext, t.rate)) > MaxStall {
		return t.anchor(ts, arrival)
	}
	if delta > 0 {
		t.highTS, t.highExt = ts, ext
	}
	return t.emit(t.base + ticksToDuration(ext, t.rate))
}

// Reset makes the next packet re-anchor, as on an SSRC change. The timeline
// still never goes back before what it already returned.
func (t *Timeline) Reset() {
	t.anchored = false
}

func (t *Timeline) anchor(ts uint32, arrival time.Time) time.Duration {
	at := max(arrival.Sub(t.zero), t.latest)
	t.anchored = true
	t.highTS, t.highExt, t.base = ts, 0, at
	return t.emit(at)
}

// emit clamps d at zero, for late packets just after the anchor, and
// records the latest result.
func (t *Timeline) emit(d time.Duration) time.Duration {
	d = max(d, 0)
	t.latest = max(t.latest, d)
	return d
}

// ticksToDuration splits off whole seconds so the intermediate product stays
// below 2^63 for any rate: ticks*1e9 would overflow after about 28 hours of
// a 90 kHz clock, this only where Duration itself does (292 years).
func ticksToDuration(ticks int64, rate uint32) time.Duration {
	r := int64(rate)
	return time.Duration(ticks/r)*time.Second + time.Duration((ticks%r)*int64(time.Second)/r)
}

// durationToTicks is the inverse for the small limits above.
func durationToTicks(d time.Duration, rate uint32) int64 {
	return int64(d/time.Millisecond) * int64(rate) / 1000
}
