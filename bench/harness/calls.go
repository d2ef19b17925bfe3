package harness

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// callRecord is one call (or one relay) of a phase, as the harness saw it.
type callRecord struct {
	id      string // sipcast callId, or relay name
	stream  string // RTMP stream name on nginx
	device  int    // index of the device process that answers
	player  *player
	started time.Time     // REST startup (or INVITE) sent
	est     time.Duration // → ESTABLISHED (or 200 OK); 0: not (yet)
	active  time.Duration // → RTMP_STREAM_ACTIVE; 0: not (yet)
	failure string        // why it never ran; "" if it did
	lost    string        // why it stopped during the hold; "" if it did not
	stalls  int           // times its video paused longer than stallAfter
	// stalledAt is the last frame before the stall last counted, so that
	// one long pause counts once.
	stalledAt time.Time
	video     trackStats
	audio     trackStats
}

// callSet is a phase's records under one lock: the call goroutines, the
// status poller and the progress line all touch them.
type callSet struct {
	mu   sync.Mutex
	recs []*callRecord
	byID map[string]*callRecord
}

func newCallSet(n int, prefix string, devices int) *callSet {
	s := &callSet{recs: make([]*callRecord, n), byID: make(map[string]*callRecord, n)}
	for i := range n {
		r := &callRecord{id: fmt.Sprintf("%s-%d", prefix, i), stream: fmt.Sprintf("%s-%d", prefix, i), device: i % max(devices, 1)}
		s.recs[i], s.byID[r.id] = r, r
	}
	return s
}

// update runs f on the record under the lock.
func (s *callSet) update(r *callRecord, f func(r *callRecord)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(r)
}

// counts returns how many calls were started, are running (established,
// not failed), and failed.
func (s *callSet) counts() (started, running, failed int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.recs {
		switch {
		case r.started.IsZero():
		case r.failure != "":
			started++
			failed++
		case r.est > 0:
			started++
			running++
		default:
			started++
		}
	}
	return started, running, failed
}

// undecided counts calls not yet failed nor fully up (done(r) false).
func (s *callSet) undecided(done func(r *callRecord) bool) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.recs {
		if r.failure == "" && !done(r) {
			n++
		}
	}
	return n
}

// waitDecided polls until every call is failed or done, or timeout.
func (s *callSet) waitDecided(ctx context.Context, timeout time.Duration, done func(r *callRecord) bool) {
	deadline := time.Now().Add(timeout)
	for s.undecided(done) > 0 && time.Now().Before(deadline) && ctx.Err() == nil {
		sleepCtx(ctx, 20*time.Millisecond)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.recs {
		if r.failure == "" && !done(r) {
			r.failure = fmt.Sprintf("not up within %v", timeout)
		}
	}
}

// running returns the records of calls that came up.
func (s *callSet) running() []*callRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*callRecord
	for _, r := range s.recs {
		if r.failure == "" && !r.started.IsZero() {
			out = append(out, r)
		}
	}
	return out
}

// stallAfter: a stream whose player got no video for this long during the
// hold has stalled (the media sends 25 frames a second).
const stallAfter = 3 * time.Second

// checkStalls counts, for each running call, the times its player went
// stallAfter without video. A stall whose frames arrive late is not a loss
// (the frame counts say whether any went missing); a stream still stalled
// when the hold ends is (final).
func (s *callSet) checkStalls(now time.Time, final bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.recs {
		if r.failure != "" || r.lost != "" || r.player == nil {
			continue
		}
		v, _ := r.player.stats()
		quiet := now.Sub(v.Last)
		switch {
		case v.Frames == 0 && final:
			r.lost = "no video at the RTMP server"
		case v.Frames > 0 && quiet > stallAfter && final:
			r.lost = fmt.Sprintf("video stopped %v before the end of the hold", quiet.Round(time.Millisecond))
			if err := r.player.failure(); err != nil {
				r.lost += fmt.Sprintf(" (the harness's player lost its connection to the RTMP server: %v)", err)
			}
		case v.Frames > 0 && quiet > stallAfter && !v.Last.Equal(r.stalledAt):
			r.stalls++
			r.stalledAt = v.Last
		}
	}
}

// closePlayers disconnects every player and keeps their final counts.
func (s *callSet) closePlayers() {
	s.mu.Lock()
	recs := append([]*callRecord(nil), s.recs...)
	s.mu.Unlock()
	var wg sync.WaitGroup
	for _, r := range recs {
		if r.player == nil {
			continue
		}
		wg.Go(func() {
			v, a := r.player.close()
			s.update(r, func(r *callRecord) { r.video, r.audio = v, a })
		})
	}
	wg.Wait()
}

// summarise fills the side's call counts, latencies and media figures.
func (s *callSet) summarise(side *Side) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var est, active, first []time.Duration
	m := &side.Media
	for _, r := range s.recs {
		if r.started.IsZero() {
			continue
		}
		side.Calls.Attempted++
		if r.failure != "" {
			side.Calls.Failed++
			if len(side.Errors) < maxLoggedErrors {
				side.Errors = append(side.Errors, r.id+": "+r.failure)
			}
			continue
		}
		side.Calls.Established++
		if r.lost != "" {
			side.Calls.Lost++
			if len(side.Errors) < maxLoggedErrors {
				side.Errors = append(side.Errors, r.id+" lost: "+r.lost)
			}
		}
		if r.est > 0 {
			est = append(est, r.est)
		}
		if r.active > 0 {
			active = append(active, r.active)
		}
		if r.video.Frames > 0 {
			first = append(first, r.video.First.Sub(r.started))
		} else {
			m.StreamsWithoutData++
		}
		m.VideoFrames += r.video.Frames
		m.VideoExpected += r.video.expected(videoFrameDur)
		m.VideoGaps += r.video.Gaps
		m.Stalls += r.stalls
		m.AudioFrames += r.audio.Frames
		m.AudioExpected += r.audio.expected(aacFrameDur)
	}
	side.Established, side.Active, side.FirstFrame = percentiles(est), percentiles(active), percentiles(first)
	if m.VideoExpected > 0 {
		m.VideoDeliveredPct = round(100*float64(m.VideoFrames)/float64(m.VideoExpected), 3)
	}
	if m.AudioExpected > 0 {
		m.AudioDeliveredPct = round(100*float64(m.AudioFrames)/float64(m.AudioExpected), 3)
	}
}
