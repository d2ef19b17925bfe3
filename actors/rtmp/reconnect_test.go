package rtmp

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

func TestReconnectPolicy(t *testing.T) {
	r := Reconnect{Attempts: 5, Within: time.Minute, Backoff: 100 * time.Millisecond, MaxBackoff: time.Second}
	start := time.Unix(1000, 0)
	for _, tc := range []struct {
		failures int
		at       time.Duration // since the outage began
		min, max time.Duration
		ok       bool
	}{
		{failures: 1, at: 0, min: 50 * time.Millisecond, max: 100 * time.Millisecond, ok: true},
		{failures: 2, at: time.Second, min: 100 * time.Millisecond, max: 200 * time.Millisecond, ok: true},
		{failures: 4, at: 2 * time.Second, min: 400 * time.Millisecond, max: 800 * time.Millisecond, ok: true},
		{failures: 5, at: 3 * time.Second, min: 500 * time.Millisecond, max: time.Second, ok: true}, // capped
		{failures: 6, at: 4 * time.Second, ok: false},                                               // too many
		{failures: 2, at: time.Minute, ok: false},                                                   // too long
		{failures: 2, at: time.Minute - 30*time.Millisecond, min: 0, max: 30 * time.Millisecond, ok: true},
	} {
		t.Run(fmt.Sprintf("%d@%s", tc.failures, tc.at), func(t *testing.T) {
			for i := 0; i < 50; i++ { // the jitter is random: every draw must stay in range
				d, ok := r.next(outage{since: start, failures: tc.failures}, start.Add(tc.at))
				if ok != tc.ok {
					t.Fatalf("ok = %v", ok)
				}
				if ok && (d < tc.min || d > tc.max) {
					t.Fatalf("delay %v outside [%v, %v]", d, tc.min, tc.max)
				}
			}
		})
	}
}

// The outage is measured on the actor's clock, not the wall's.
func TestOutageElapsed(t *testing.T) {
	var o outage
	start := time.Unix(1000, 0)
	if o.active() || o.elapsed(start) != 0 {
		t.Fatal("an outage not started has lasted")
	}
	o.start(start)
	if got := o.elapsed(start.Add(90 * time.Second)); got != 90*time.Second {
		t.Fatalf("elapsed %v, want 90s", got)
	}
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{io.EOF, "unknown application"},
		{fmt.Errorf("wrapped: %w", io.ErrUnexpectedEOF), "unknown application"},
		{errors.New("bad result: NetStream.Publish.BadName"), "already in use"},
		{errors.New("dial tcp 127.0.0.1:1: connect: connection refused"), "connection refused"},
	} {
		if got := classify(tc.err); !strings.Contains(got, tc.want) {
			t.Errorf("classify(%v) = %q, want …%s…", tc.err, got, tc.want)
		}
	}
}
