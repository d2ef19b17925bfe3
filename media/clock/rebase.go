package clock

import "time"

// Peek returns where Map would place ts now, without changing anything; ok
// is false before the first packet, or when ts is too far from the stream's
// newest timestamp for Map to keep it on the RTP clock.
func (t *Timeline) Peek(ts uint32) (time.Duration, bool) {
	if !t.anchored || t.rate == 0 {
		return 0, false
	}
	delta := int64(int32(ts - t.highTS))
	if delta > t.maxFwd || delta < -t.maxBack {
		return 0, false
	}
	return t.base + ticksToDuration(t.highExt+delta, t.rate), true
}

// Rebase re-anchors the timeline so that ts maps to at, the RTP clock
// followed from there: lip sync moves a stream to where the sender's reports
// place it. Unlike a restart's anchor, at may lie behind what Map already
// returned; the owner decides how far it lets a stream move.
func (t *Timeline) Rebase(ts uint32, at time.Duration) {
	if t.rate == 0 {
		return
	}
	t.anchored = true
	t.highTS, t.highExt, t.base = ts, 0, at
}
