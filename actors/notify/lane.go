package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/internal/metrics"
)

// lane delivers one call's events in order: one POST at a time, run in a goroutine the lane
// owns; a failure worth retrying waits on a timer, so the mailbox never blocks.
type lane struct {
	cfg    *Config
	callID string
	log    *slog.Logger
	self   *actor.PID
	system *actor.ActorSystem

	queue    []*deliver
	busy     bool // an attempt or a backoff wait is under way for queue[0]
	attempt  int  // attempts made for queue[0]
	gen      int  // tells a current attemptDone or retryNow from a stale one
	cancel   context.CancelFunc
	timer    *time.Timer
	inflight sync.WaitGroup
	flushing bool
}

func newLaneProps(cfg *Config, callID string) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor { return &lane{cfg: cfg, callID: callID} })
}

// Receive is the lane's mailbox loop.
func (l *lane) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		l.self, l.system = ctx.Self(), ctx.ActorSystem()
		l.log = l.cfg.Logger.With("actor", "notify-lane", "callId", l.callID)
	case *actor.Stopping:
		l.handleStopping()
	case *deliver:
		l.queue = append(l.queue, m)
		if !l.busy {
			l.try()
		}
	case *attemptDone:
		if m.gen == l.gen {
			l.handleAttempt(ctx, m.err)
		}
	case *retryNow:
		if m.gen == l.gen {
			l.try()
		}
	case *flushNow:
		l.handleFlush()
	}
}

func (l *lane) handleStopping() {
	if l.timer != nil {
		l.timer.Stop()
	}
	if l.cancel != nil {
		l.cancel()
	}
	l.inflight.Wait()
}

// try starts one attempt at the head of the queue.
func (l *lane) try() {
	d := l.queue[0]
	l.busy = true
	l.attempt++
	l.gen++
	gen, root, self, cfg := l.gen, l.system.Root, l.self, l.cfg
	ctx, cancel := context.WithTimeout(context.Background(), cfg.Timeout)
	l.cancel = cancel
	l.inflight.Add(1)
	go func() {
		defer l.inflight.Done()
		defer func() {
			// A panic posting one notification fails that attempt (retried as any failure),
			// never the process nor the lane, which would wait for the attempt forever.
			if r := recover(); r != nil {
				metrics.GoroutinePanics.With("notify_post").Inc()
				cancel()
				root.Send(self, &attemptDone{gen: gen, err: fmt.Errorf("notify: post panicked: %v", r)})
			}
		}()
		err := post(ctx, cfg, d)
		cancel()
		root.Send(self, &attemptDone{gen: gen, err: err})
	}()
}

func (l *lane) handleAttempt(ctx actor.Context, err error) {
	d := l.queue[0]
	if err == nil {
		metrics.NotifyDelivered.Inc()
		l.next(ctx)
		return
	}
	metrics.NotifyFailures.Inc()
	l.log.Debug("notification attempt failed", "event", d.ev.Name, "id", d.ev.ID, "attempt", l.attempt, "err", err)
	switch {
	case errors.Is(err, ErrRejected):
		l.drop(ctx, d, "rejected", err)
	case l.attempt > l.cfg.Retries || l.flushing:
		l.drop(ctx, d, "retries", err)
	default:
		l.gen++
		gen, root, self := l.gen, l.system.Root, l.self
		l.timer = time.AfterFunc(backoff(l.cfg.Backoff, l.attempt), func() { root.Send(self, &retryNow{gen: gen}) })
	}
}

// handleFlush: a graceful stop is under way; an event waiting for its retry is tried now, and
// no event is tried again after it fails.
func (l *lane) handleFlush() {
	l.flushing = true
	if l.timer != nil && l.timer.Stop() {
		l.try()
	}
}

func (l *lane) drop(ctx actor.Context, d *deliver, reason string, err error) {
	metrics.NotifyDropped.With(reason).Inc()
	l.cfg.drops.drop(d.url, reason, d.ev, err)
	l.next(ctx)
}

// next pops the head, tells the dispatcher, and starts on the next event.
func (l *lane) next(ctx actor.Context) {
	l.queue[0] = nil
	l.queue = l.queue[1:]
	l.busy, l.attempt, l.timer = false, 0, nil
	ctx.Send(ctx.Parent(), &laneProgress{callID: l.callID, n: 1})
	if len(l.queue) > 0 {
		l.try()
	}
}

// backoff is the wait after attempt n (from 1) failed: base, 2×base, 4×base … up to MaxBackoff.
func backoff(base time.Duration, n int) time.Duration {
	d := base
	for i := 1; i < n && d < MaxBackoff; i++ {
		d *= 2
	}
	return min(d, MaxBackoff)
}

// dropLog logs dropped notifications at most once per dropLogEvery per app URL, with the count
// since the last line, so a dead app does not flood the log while every drop is still counted.
type dropLog struct {
	mu    sync.Mutex
	log   *slog.Logger
	now   func() time.Time
	last  map[string]time.Time
	count map[string]int
}

const dropLogEvery = 10 * time.Second

func newDropLog(log *slog.Logger, now func() time.Time) *dropLog {
	return &dropLog{log: log, now: now, last: map[string]time.Time{}, count: map[string]int{}}
}

func (d *dropLog) drop(url, reason string, ev Event, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.count[url]++
	now := d.now()
	if last, ok := d.last[url]; ok && now.Sub(last) < dropLogEvery {
		return
	}
	d.log.Warn("notification dropped", "app", url, "event", ev.Name, "callId", ev.CallID, "id", ev.ID,
		"reason", reason, "err", err, "droppedSinceLastLog", d.count[url])
	d.last[url] = now
	d.count[url] = 0
}
