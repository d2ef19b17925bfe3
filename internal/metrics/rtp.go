package metrics

import (
	"math"
	"sync"
	"sync/atomic"
)

// rtpKinds are the media lines an RTP stream can serve, as the "kind" label shows them.
var rtpKinds = [...]string{"audio", "video"}

type rtpFamily struct {
	packets, bytes, lost Counter
}

var (
	rtpByKind [len(rtpKinds)]rtpFamily
	liveMu    sync.Mutex
	live      = map[*RTPStream]struct{}{}
)

// RTPStream meters one RTP receiver (one media line of one call). Its methods are safe on a nil
// *RTPStream, so code paths without a meter need no checks.
type RTPStream struct {
	kind     int
	family   *rtpFamily
	lastLost int64
	// jitter is the last reported interarrival jitter in nanoseconds.
	jitter atomic.Int64
}

// NewRTPStream starts metering a stream of kind "audio" or "video" (anything else counts as
// audio). Close it when the stream ends.
func NewRTPStream(kind string) *RTPStream {
	k := 0
	if kind == rtpKinds[1] {
		k = 1
	}
	s := &RTPStream{kind: k, family: &rtpByKind[k]}
	liveMu.Lock()
	live[s] = struct{}{}
	liveMu.Unlock()
	return s
}

// Packet counts one received RTP packet of n bytes.
func (s *RTPStream) Packet(n int) {
	if s == nil {
		return
	}
	s.family.packets.Inc()
	s.family.bytes.Add(uint64(n))
}

// Report records the figures of an RTCP receiver report: the cumulative number of packets lost
// (RFC 3550; only its increase is counted) and the interarrival jitter in RTP clock units.
// It is called from the one goroutine that owns the stream.
func (s *RTPStream) Report(totalLost int64, jitterUnits float64, clockRate uint32) {
	if s == nil {
		return
	}
	if totalLost > s.lastLost {
		s.family.lost.Add(uint64(totalLost - s.lastLost))
		s.lastLost = totalLost
	} else if totalLost < s.lastLost {
		s.lastLost = totalLost // the source restarted: its count starts over
	}
	if clockRate > 0 {
		s.jitter.Store(int64(jitterUnits * 1e9 / float64(clockRate)))
	}
}

// Close stops metering: the stream leaves the live set (its counts stay in the totals).
func (s *RTPStream) Close() {
	if s == nil {
		return
	}
	liveMu.Lock()
	delete(live, s)
	liveMu.Unlock()
}

// liveStats returns, per kind, the number of live streams and the highest jitter among them.
func liveStats() (streams [len(rtpKinds)]int, jitter [len(rtpKinds)]float64) {
	liveMu.Lock()
	defer liveMu.Unlock()
	for s := range live {
		streams[s.kind]++
		jitter[s.kind] = math.Max(jitter[s.kind], float64(s.jitter.Load())/1e9)
	}
	return streams, jitter
}

func writeRTP(w *Writer) {
	for _, f := range []struct {
		name, help string
		c          func(*rtpFamily) *Counter
	}{
		{"sipcast_rtp_packets_total", "RTP packets received from SIP devices.", func(f *rtpFamily) *Counter { return &f.packets }},
		{"sipcast_rtp_bytes_total", "RTP bytes (headers included) received from SIP devices.", func(f *rtpFamily) *Counter { return &f.bytes }},
		{"sipcast_rtp_packets_lost_total", "RTP packets lost on the way from SIP devices (RFC 3550 cumulative loss, as reported in RTCP).", func(f *rtpFamily) *Counter { return &f.lost }},
	} {
		w.Header(f.name, "counter", f.help)
		for k, kind := range rtpKinds {
			w.Sample(f.name, float64(f.c(&rtpByKind[k]).Value()), "kind", kind)
		}
	}
	streams, jitter := liveStats()
	w.Header("sipcast_rtp_streams", "gauge", "RTP streams being received now.")
	for k, kind := range rtpKinds {
		w.Sample("sipcast_rtp_streams", float64(streams[k]), "kind", kind)
	}
	w.Header("sipcast_rtp_jitter_seconds", "gauge", "Highest interarrival jitter (RFC 3550) among the RTP streams being received now.")
	for k, kind := range rtpKinds {
		w.Sample("sipcast_rtp_jitter_seconds", jitter[k], "kind", kind)
	}
}
