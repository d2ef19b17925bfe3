package api

import (
	"sync"

	"github.com/sipcast/sipcast/protocol/callapi"
)

// fakeEvents is an EventSource for the handler tests: it filters by callId as the engine's
// broker does and counts the streams still open.
type fakeEvents struct {
	mu     sync.Mutex
	subs   map[chan callapi.Event]string
	closed bool
}

func newFakeEvents() *fakeEvents { return &fakeEvents{subs: map[chan callapi.Event]string{}} }

func (f *fakeEvents) Stream(callID string) (<-chan callapi.Event, func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := make(chan callapi.Event, 16)
	if f.closed {
		close(c)
		return c, func() {}
	}
	f.subs[c] = callID
	return c, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		if _, ok := f.subs[c]; ok {
			delete(f.subs, c)
			close(c)
		}
	}
}

func (f *fakeEvents) Publish(ev callapi.Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for c, id := range f.subs {
		if id == "" || id == ev.CallID {
			c <- ev
		}
	}
}

func (f *fakeEvents) Close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for c := range f.subs {
		close(c)
	}
	f.subs = map[chan callapi.Event]string{}
	f.closed = true
}

func (f *fakeEvents) Len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.subs)
}
