package rtmp

import (
	"math/rand/v2"
	"time"
)

// Reconnect is the retry policy after a lost connection (or a server that is down at start).
type Reconnect struct {
	// Attempts is how many failed attempts in a row end the outage in RTMP_CONNECTION_FAILED.
	// Default 30.
	Attempts int
	// Within is how long an outage may last before giving up. Default 5 min.
	Within time.Duration
	// Backoff is the first delay, doubled after each failure up to MaxBackoff. Defaults 500 ms
	// and 10 s: a restarting server is back within seconds, a dead one is not hammered.
	Backoff, MaxBackoff time.Duration
}

func (r *Reconnect) defaults() {
	if r.Attempts == 0 {
		r.Attempts = 30
	}
	if r.Within == 0 {
		r.Within = 5 * time.Minute
	}
	if r.Backoff == 0 {
		r.Backoff = 500 * time.Millisecond
	}
	if r.MaxBackoff == 0 {
		r.MaxBackoff = 10 * time.Second
	}
}

// outage tracks one period without a connection.
type outage struct {
	since    time.Time
	failures int
}

func (o *outage) start(now time.Time) { o.since = now }
func (o outage) active() bool         { return !o.since.IsZero() }
func (o outage) elapsed(now time.Time) time.Duration {
	if o.since.IsZero() {
		return 0
	}
	return now.Sub(o.since)
}

// next returns the delay before the next attempt, or false when the policy says give up. The
// delay is drawn between half and all of the exponential step ("equal jitter"), so publishers
// that lost one server together do not return to it in lockstep.
func (r Reconnect) next(o outage, now time.Time) (time.Duration, bool) {
	if o.failures > r.Attempts || now.Sub(o.since) >= r.Within {
		return 0, false
	}
	step := r.Backoff
	for i := 1; i < o.failures && step < r.MaxBackoff; i++ {
		step *= 2
	}
	if step > r.MaxBackoff {
		step = r.MaxBackoff
	}
	d := step/2 + time.Duration(rand.Int64N(int64(step/2)+1))
	if rest := r.Within - now.Sub(o.since); d > rest {
		d = rest
	}
	return d, true
}
