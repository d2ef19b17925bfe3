package notify

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/protocol/callapi"
)

// Handle is how the rest of sipcast reaches the dispatcher. It exists before the dispatcher is
// spawned (the registry's hook is built before the actor system), binds to it in Start, and
// drops what comes before. A nil *Handle is valid and does nothing.
type Handle struct {
	system atomic.Pointer[actor.ActorSystem]
	pid    atomic.Pointer[actor.PID]
}

// Start spawns the dispatcher in system as "notify".
func (h *Handle) Start(system *actor.ActorSystem, cfg Config) error {
	pid, err := system.Root.SpawnNamed(NewProps(cfg), "notify")
	if err != nil {
		return fmt.Errorf("spawn notify: %w", err)
	}
	h.system.Store(system)
	h.pid.Store(pid)
	return nil
}

func (h *Handle) send(msg any) {
	if h == nil {
		return
	}
	if pid := h.pid.Load(); pid != nil {
		h.system.Load().Root.Send(pid, msg)
	}
}

// CallChanged hands over a call snapshot; it never blocks.
func (h *Handle) CallChanged(c callapi.Call) { h.send(&CallChanged{Call: c.Clone()}) }

// Publish hands over any other event about a call (e.g. EventRegistrationStatus); body is
// marshalled to JSON. It never blocks.
func (h *Handle) Publish(event, callID, appKey string, body any) {
	h.send(&Publish{Event: event, CallID: callID, AppKey: appKey, Body: body})
}

// Flush delivers what is queued without further backoff and returns once nothing is, or with
// an error after timeout.
func (h *Handle) Flush(timeout time.Duration) error {
	if h == nil || h.pid.Load() == nil {
		return ErrNotStarted
	}
	if _, err := h.system.Load().Root.RequestFuture(h.pid.Load(), &Flush{}, timeout).Result(); err != nil {
		return fmt.Errorf("notify flush: %w", err)
	}
	return nil
}

// Stop stops the dispatcher and its lanes (in-flight POSTs are cancelled).
func (h *Handle) Stop() {
	if h == nil {
		return
	}
	if pid := h.pid.Swap(nil); pid != nil {
		_ = h.system.Load().Root.StopFuture(pid).Wait()
	}
}
