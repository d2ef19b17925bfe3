package notify

import (
	"sync"
	"sync/atomic"

	"github.com/sipcast/sipcast/internal/metrics"
)

// subscriberBuffer is how many events an SSE client may fall behind before it loses some: a
// call makes about ten, so a client that cannot keep up with 256 is not reading at all.
const subscriberBuffer = 256

// Broker fans events out to live subscribers (the SSE streams). It is a plain mutexed struct
// rather than an actor: HTTP handlers subscribe and unsubscribe from their own goroutines, and
// Publish never blocks (a full subscriber loses the event, counted in its Dropped).
type Broker struct {
	mu     sync.Mutex
	subs   map[*Subscription]struct{}
	closed bool
}

// Subscription is one subscriber.
type Subscription struct {
	c      chan Event
	callID string
	// Dropped counts events this subscriber lost because its buffer was full.
	Dropped atomic.Uint64
}

// Stream subscribes like Subscribe and returns the channel with the function that cancels it:
// the shape the REST layer's event source takes.
func (b *Broker) Stream(callID string) (<-chan Event, func()) {
	s := b.Subscribe(callID)
	return s.Events(), func() { b.Unsubscribe(s) }
}

// Events is closed when the broker closes or the subscription is cancelled.
func (s *Subscription) Events() <-chan Event { return s.c }

// NewBroker makes an empty broker.
func NewBroker() *Broker { return &Broker{subs: map[*Subscription]struct{}{}} }

// Subscribe returns a subscription to every event, or to one call's when callID is set. After
// Close it returns a subscription whose channel is already closed.
func (b *Broker) Subscribe(callID string) *Subscription {
	s := &Subscription{c: make(chan Event, subscriberBuffer), callID: callID}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		close(s.c)
		return s
	}
	b.subs[s] = struct{}{}
	metrics.SSEClients.Add(1)
	return s
}

// Unsubscribe ends a subscription; safe to call more than once and after Close.
func (b *Broker) Unsubscribe(s *Subscription) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.subs[s]; ok {
		delete(b.subs, s)
		close(s.c)
		metrics.SSEClients.Add(-1)
	}
}

// Publish hands ev to every matching subscriber without waiting.
func (b *Broker) Publish(ev Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		if s.callID != "" && s.callID != ev.CallID {
			continue
		}
		select {
		case s.c <- ev:
		default:
			s.Dropped.Add(1)
		}
	}
}

// Close ends every subscription: the SSE streams finish, so the HTTP server can shut down.
func (b *Broker) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	b.closed = true
	for s := range b.subs {
		close(s.c)
		metrics.SSEClients.Add(-1)
	}
	clear(b.subs)
}

// Len is the number of open subscriptions.
func (b *Broker) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}
