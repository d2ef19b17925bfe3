package rtp

import (
	"sync/atomic"
	"testing"
	"time"
)

// Every subscriber of an interval is ticked by the one goroutine, a cancelled one no more, and
// the goroutine ends with its last subscriber.
func TestMetronome(t *testing.T) {
	const interval = 7 * time.Millisecond // an interval no comfort sender uses
	var a, b atomic.Int32
	cancelA := everyTick(interval, func() { a.Add(1) })
	cancelB := everyTick(interval, func() { b.Add(1) })
	waitUntil(t, func() bool { return a.Load() >= 3 && b.Load() >= 3 })
	cancelA()
	stopped := a.Load()
	waitUntil(t, func() bool { return b.Load() >= stopped+5 })
	if got := a.Load(); got > stopped+1 { // one tick may have been taken before the cancel
		t.Errorf("%d ticks after cancel", got-stopped)
	}
	cancelB()
	metronomesMu.Lock()
	m := metronomes[interval]
	metronomesMu.Unlock()
	waitUntil(t, func() bool {
		m.mu.Lock()
		defer m.mu.Unlock()
		return !m.running
	})
	// And it starts again for a new subscriber.
	var c atomic.Int32
	cancelC := everyTick(interval, func() { c.Add(1) })
	defer cancelC()
	waitUntil(t, func() bool { return c.Load() >= 2 })
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5 s")
		}
		time.Sleep(time.Millisecond)
	}
}
