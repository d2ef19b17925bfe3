package rtp

import (
	"sync"
	"time"
)

// A metronome is one ticker shared by every comfort sender of an interval: with a ticker each,
// 300 calls woke 300 goroutines every 20 ms only to post a message each; now one goroutine
// posts them all. It runs while it has subscribers and stops with the last, so an idle process
// (and a test's goroutine count) has no ticker left.
type metronome struct {
	interval time.Duration
	mu       sync.Mutex
	subs     map[uint64]func()
	next     uint64
	running  bool
}

var (
	metronomesMu sync.Mutex
	metronomes   = map[time.Duration]*metronome{}
)

// everyTick calls tick once per interval, from the shared goroutine, until cancel is called.
// tick must not block: it posts a message to an actor.
func everyTick(interval time.Duration, tick func()) (cancel func()) {
	metronomesMu.Lock()
	m := metronomes[interval]
	if m == nil {
		m = &metronome{interval: interval, subs: map[uint64]func(){}}
		metronomes[interval] = m
	}
	metronomesMu.Unlock()

	m.mu.Lock()
	id := m.next
	m.next++
	m.subs[id] = tick
	if !m.running {
		m.running = true
		go m.run()
	}
	m.mu.Unlock()
	return func() {
		m.mu.Lock()
		delete(m.subs, id)
		m.mu.Unlock()
	}
}

func (m *metronome) run() {
	t := time.NewTicker(m.interval)
	defer t.Stop()
	var ticks []func()
	for range t.C {
		m.mu.Lock()
		if len(m.subs) == 0 {
			m.running = false
			m.mu.Unlock()
			return
		}
		ticks = ticks[:0]
		for _, f := range m.subs {
			ticks = append(ticks, f)
		}
		m.mu.Unlock()
		for _, f := range ticks {
			f()
		}
	}
}
