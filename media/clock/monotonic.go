package clock

import "time"

// Monotonic clamps decode timestamps so they never go backwards, for the
// tracks that share one FLV writer: a late audio packet or a video frame
// anchored slightly behind audio would otherwise make the muxer or the
// RTMP server reject the stream. The zero value is ready; it starts at 0,
// so negative inputs come out as 0 as FLV requires.
type Monotonic struct {
	last time.Duration
}

// Next returns d, or the previous result if d is earlier.
func (m *Monotonic) Next(d time.Duration) time.Duration {
	m.last = max(m.last, d)
	return m.last
}
