// Package notify delivers sipcast's status notifications — the spec's callApp — and feeds the
// live event stream. One dispatcher actor takes in every call snapshot (from the registry) and
// every other event, numbers them, hands them to the SSE broker, and routes each to a lane: a
// child actor per call that POSTs the call's events to its app URL one after the other, with
// bounded retries and backoff. Calls never wait for it: a slow or dead app only fills its own
// call's lane, bounded, and what does not fit is dropped, counted and logged.
package notify

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/internal/metrics"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// Config configures the dispatcher. Zero values take the defaults named on each field.
type Config struct {
	// Apps returns the URL of an app by its appKey; "" sends that app nothing.
	Apps func(appKey string) string
	// Authorization, when set, is sent as the Authorization header of every POST.
	Authorization string
	// Secret, when set, signs every POST (X-Sipcast-Signature, see Sign).
	Secret string
	// QueueSize bounds the events waiting for delivery across every call. Default 1000.
	QueueSize int
	// LaneSize bounds the events waiting for delivery for one call, so one call's dead app cannot
	// take every other call's room. Default 64.
	LaneSize int
	// Retries is how many times a failed POST is tried again (0: never). NewProps keeps it.
	Retries int
	// Backoff is the wait before the first retry, doubled for each next one up to MaxBackoff.
	// Default 500 ms.
	Backoff time.Duration
	// Timeout bounds one POST. Default 5 s.
	Timeout time.Duration
	// Client sends the POSTs; default an http.Client with Timeout that follows no redirects.
	Client *http.Client
	// Broker receives every event for the SSE streams; nil for none.
	Broker *Broker
	Logger *slog.Logger
	Now    func() time.Time

	drops *dropLog
}

// MaxBackoff caps the wait between two attempts.
const MaxBackoff = 10 * time.Second

func (c *Config) defaults() {
	if c.Apps == nil {
		c.Apps = func(string) string { return "" }
	}
	if c.QueueSize <= 0 {
		c.QueueSize = 1000
	}
	if c.LaneSize <= 0 {
		c.LaneSize = 64
	}
	if c.Retries < 0 {
		c.Retries = 0
	}
	if c.Backoff <= 0 {
		c.Backoff = 500 * time.Millisecond
	}
	if c.Timeout <= 0 {
		c.Timeout = 5 * time.Second
	}
	if c.Client == nil {
		c.Client = newClient(c.Timeout)
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	c.drops = newDropLog(c.Logger.With("actor", "notify"), c.Now)
}

// callKey is what makes a call snapshot worth notifying.
type callKey struct {
	status    string
	sipStatus int
	rtmp      string
}

type laneRef struct {
	pid         *actor.PID
	sent, done  int
	final       bool
	url, appKey string
}

// Dispatcher is the notification actor.
type Dispatcher struct {
	cfg      *Config
	log      *slog.Logger
	last     map[string]callKey  // by callId: the last call snapshot notified, live calls only
	lanes    map[string]*laneRef // by callId
	pending  int
	seq      uint64
	flushing bool
	waiters  []*actor.PID
}

// NewProps returns the dispatcher's props. A lane that panics is stopped, not restarted: its
// queue is gone either way, and the dispatcher counts it as dropped.
func NewProps(cfg Config) *actor.Props {
	cfg.defaults()
	c := &cfg
	strategy := actor.NewOneForOneStrategy(0, 0, func(any) actor.Directive { return actor.StopDirective })
	return actor.PropsFromProducer(func() actor.Actor {
		return &Dispatcher{cfg: c, log: c.Logger.With("actor", "notify"), last: map[string]callKey{}, lanes: map[string]*laneRef{}}
	}, actor.WithSupervisor(strategy))
}

// Receive is the dispatcher's mailbox loop.
func (d *Dispatcher) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		d.log.Info("actor started", "queueSize", d.cfg.QueueSize, "retries", d.cfg.Retries)
	case *actor.Stopping:
		d.log.Info("actor stopping", "pending", d.pending)
	case *CallChanged:
		d.handleCallChanged(ctx, m)
	case *Publish:
		d.handlePublish(ctx, m)
	case *laneProgress:
		d.handleProgress(ctx, m)
	case *Flush:
		d.handleFlush(ctx)
	case *actor.Terminated:
		d.handleLaneTerminated(ctx, m)
	}
}

func (d *Dispatcher) handleCallChanged(ctx actor.Context, m *CallChanged) {
	c := m.Call
	key := callKey{status: c.Status}
	if c.SIPStatus != nil {
		key.sipStatus = *c.SIPStatus
	}
	if c.RTMPStreamStatus != nil {
		key.rtmp = *c.RTMPStreamStatus
	}
	if last, ok := d.last[c.CallID]; ok && last == key {
		return
	}
	final := callapi.Ended(c.Status)
	if final {
		delete(d.last, c.CallID)
		metrics.CallsEnded.With(c.Status).Inc()
	} else {
		d.last[c.CallID] = key
	}
	body, err := json.Marshal(c)
	if err != nil {
		d.log.Error("marshal call object", "callId", c.CallID, "err", err)
		return
	}
	appKey := ""
	if c.AppKey != nil {
		appKey = *c.AppKey
	}
	d.dispatch(ctx, Event{Name: EventCallStatus, CallID: c.CallID, AppKey: appKeyOr(appKey), Body: body, Final: final})
}

func (d *Dispatcher) handlePublish(ctx actor.Context, m *Publish) {
	body, err := json.Marshal(m.Body)
	if err != nil {
		d.log.Error("marshal event", "event", m.Event, "callId", m.CallID, "err", err)
		return
	}
	d.dispatch(ctx, Event{Name: m.Event, CallID: m.CallID, AppKey: appKeyOr(m.AppKey), Body: body})
}

func appKeyOr(k string) string {
	if k == "" {
		return DefaultAppKey
	}
	return k
}

// dispatch numbers ev, shows it to the SSE clients and queues it on its call's lane.
func (d *Dispatcher) dispatch(ctx actor.Context, ev Event) {
	d.seq++
	ev.ID = d.seq
	if d.cfg.Broker != nil {
		d.cfg.Broker.Publish(ev)
	}
	url := d.cfg.Apps(ev.AppKey)
	if url == "" {
		return
	}
	ref := d.lanes[ev.CallID]
	switch {
	case d.pending >= d.cfg.QueueSize:
		d.drop(ev, url, "queue_full", fmt.Errorf("%d notifications already queued", d.pending))
		return
	case ref != nil && ref.sent-ref.done >= d.cfg.LaneSize:
		d.drop(ev, url, "queue_full", fmt.Errorf("%d notifications already queued for this call", ref.sent-ref.done))
		return
	}
	if ref == nil {
		ref = &laneRef{pid: ctx.SpawnPrefix(newLaneProps(d.cfg, ev.CallID), "lane-")}
		d.lanes[ev.CallID] = ref
		if d.flushing {
			ctx.Send(ref.pid, &flushNow{})
		}
	}
	ref.sent++
	ref.final = ref.final || ev.Final
	d.pending++
	metrics.NotifyQueued.Set(int64(d.pending))
	ctx.Send(ref.pid, &deliver{ev: ev, url: url})
}

func (d *Dispatcher) drop(ev Event, url, reason string, err error) {
	metrics.NotifyDropped.With(reason).Inc()
	d.cfg.drops.drop(url, reason, ev, err)
}

func (d *Dispatcher) handleProgress(ctx actor.Context, m *laneProgress) {
	d.pending -= m.n
	metrics.NotifyQueued.Set(int64(d.pending))
	if ref := d.lanes[m.callID]; ref != nil {
		ref.done += m.n
		if ref.final && ref.done == ref.sent {
			// The call is over and its lane idle: nothing more will come for it. A later event
			// (a registration outcome after the call) gets a fresh lane.
			ctx.Stop(ref.pid)
			delete(d.lanes, m.callID)
		}
	}
	d.answerFlush(ctx)
}

func (d *Dispatcher) handleFlush(ctx actor.Context) {
	if !d.flushing {
		d.flushing = true
		for _, ref := range d.lanes {
			ctx.Send(ref.pid, &flushNow{})
		}
	}
	if ctx.Sender() != nil {
		d.waiters = append(d.waiters, ctx.Sender())
	}
	d.answerFlush(ctx)
}

func (d *Dispatcher) answerFlush(ctx actor.Context) {
	if d.pending > 0 || len(d.waiters) == 0 {
		return
	}
	for _, w := range d.waiters {
		ctx.Send(w, &FlushResponse{})
	}
	d.waiters = nil
}

// handleLaneTerminated accounts for a lane that stopped with events still queued (it crashed).
func (d *Dispatcher) handleLaneTerminated(ctx actor.Context, m *actor.Terminated) {
	for callID, ref := range d.lanes {
		if !ref.pid.Equal(m.Who) {
			continue
		}
		if lost := ref.sent - ref.done; lost > 0 {
			d.pending -= lost
			metrics.NotifyQueued.Set(int64(d.pending))
			metrics.NotifyDropped.With("retries").Add(uint64(lost))
			d.log.Error("notification lane stopped with events queued", "callId", callID, "lost", lost)
		}
		delete(d.lanes, callID)
		d.answerFlush(ctx)
		return
	}
}
