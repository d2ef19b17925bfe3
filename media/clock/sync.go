package clock

import (
	"sync"
	"time"
)

// NTPTime converts a 64-bit NTP timestamp (RFC 3550 §4: seconds since 1900
// and a 32-bit fraction) to a duration since the NTP epoch. It fits in a
// Duration until the NTP era ends in 2036.
func NTPTime(ntp uint64) time.Duration {
	secs, frac := ntp>>32, ntp&0xffffffff
	return time.Duration(secs)*time.Second + time.Duration(frac*uint64(time.Second)>>32)
}

// ntpUnixOffset is the NTP timestamp of the Unix epoch: 70 years (17 of them leap) after 1900.
const ntpUnixOffset = (70*365 + 17) * 24 * 60 * 60

// ToNTP is the 64-bit NTP timestamp of a wall-clock instant, as an RTCP sender report carries it.
func ToNTP(t time.Time) uint64 {
	ns := t.UnixNano()
	secs := uint64(ns/1e9) + ntpUnixOffset
	frac := (uint64(ns%1e9) << 32) / 1e9
	return secs<<32 | frac
}

// SenderReport is the NTP↔RTP pair of one RTCP sender report: the sender's
// wall clock (NTPTime) at the instant its RTP clock read RTP.
type SenderReport struct {
	SSRC uint32
	NTP  time.Duration
	RTP  uint32
}

// At is the sender's wall-clock time of RTP timestamp ts, on a clock of
// rate Hz, extrapolated from the report. The signed 32-bit difference makes
// it wrap-around safe; ok is false beyond MaxJump from the report.
func (sr SenderReport) At(ts uint32, rate uint32) (time.Duration, bool) {
	if rate == 0 {
		return 0, false
	}
	delta := int64(int32(ts - sr.RTP))
	if limit := durationToTicks(MaxJump, rate); delta > limit || delta < -limit {
		return 0, false
	}
	return sr.NTP + ticksToDuration(delta, rate), true
}

// SyncGroup ties the streams of one sender (one RTCP CNAME: a call's audio
// and video) to the call's timeline through their sender reports. Each
// stream offers, at its first report, the sender wall-clock time its own
// timeline puts at zero; the group keeps the earliest. A stream is then
// placed at (wall-clock time of its RTP timestamp) - Zero, so both are on the
// sender's clock: what it captured at one instant plays at one instant.
//
// Taking the earliest offer moves streams only forwards: the stream that
// arrived with the most delay keeps its place, the others are held back to
// meet it. A SyncGroup is safe for concurrent use: each stream's owner is
// its own actor.
type SyncGroup struct {
	mu      sync.Mutex
	zero    time.Duration
	set     bool
	version uint64
}

// Offer proposes a zero: the sender's wall-clock time at the proposer's
// timeline position 0.
func (g *SyncGroup) Offer(zero time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.set || zero < g.zero {
		g.zero, g.set = zero, true
		g.version++
	}
}

// Zero returns the group's zero and a version that changes with it; ok is
// false until a first offer.
func (g *SyncGroup) Zero() (zero time.Duration, version uint64, ok bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.zero, g.version, g.set
}
