package clock

import "time"

// Monotonic clamps decode timestamps so they never go backwards, for the
// tracks that share one FLV writer: a late audio packet or a video frame
// anchored slightly behind audio would otherwise make the muxer or the
// RTMP server reject the stream. The zero value is ready; it starts at 0,
// so negative inputs come out as 0 as FLV requires.
type Monotonic struct {
	last time.Duration
	seen bool // NextStrict gave a timestamp
}

// Next returns d, or the previous result if d is earlier.
func (m *Monotonic) Next(d time.Duration) time.Duration {
	m.last = max(m.last, d)
	return m.last
}

// NextStrict is Next for a video track: FLV carries whole milliseconds, and two pictures at one
// decode time make muxers (ffmpeg's, nginx-rtmp's HLS) drop or refuse the second, so a picture
// not at least a millisecond after the previous one is placed a millisecond after it.
func (m *Monotonic) NextStrict(d time.Duration) time.Duration {
	d = max(d.Truncate(time.Millisecond), 0)
	if m.seen && d <= m.last {
		d = m.last + time.Millisecond
	}
	m.last, m.seen = d, true
	return d
}
