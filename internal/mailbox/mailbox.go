// Package mailbox is a protoactor mailbox that bounds an actor's media and never drops its
// control messages.
//
// protoactor's default mailbox is unbounded: an actor that falls behind its packets (a
// supervised restart, a stalled publisher, a CPU-starved box) grows its queue without limit.
// protoactor's own bounded mailboxes do not fit a media actor: actor.Bounded blocks the sender
// when full (an RTP reader would stall, and so would a call actor sending a Configure), and
// actor.BoundedDropping drops the oldest message whatever it is — a Configure, a SendDTMF whose
// requester then waits forever — and can still block when two senders race for the last slot.
// Neither can tell media from control.
//
// This mailbox keeps protoactor's own (one FIFO, so messages keep the order they were sent in)
// and counts the messages its Droppable function names — the media — that wait in it. When
// Size of them wait, the next one is dropped on arrival, like a full socket buffer drops a
// datagram, and counted in sipcast_mailbox_dropped_total{actor}. Every other message — the
// control: commands, requests, ticks — is always queued; its senders bound it (the call sends
// a handful of commands, timers tick at fixed rates), and system messages (stop, restart,
// watch) never pass through the count. Nothing ever blocks a sender.
package mailbox

import (
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/internal/metrics"
)

// Config is one kind of actor's mailbox.
type Config struct {
	// Actor names the kind of actor in the drop counter's label.
	Actor string
	// Size is how many droppable messages may wait at once; required (> 0).
	Size int
	// Droppable reports whether a message may be dropped when Size of them wait. It sees the
	// message as sent: one sent with a sender (a request) arrives in an *actor.MessageEnvelope,
	// which is never droppable.
	Droppable func(msg any) bool
	// Dropped, when set, also counts this mailbox's drops, for its actor to notice that its
	// stream has a hole (the RTMP publisher restarts on a key frame).
	Dropped *atomic.Uint64
}

// Producer returns the producer of mailboxes for actor.WithMailbox: one per actor spawned,
// kept across its supervised restarts.
func Producer(c Config) actor.MailboxProducer {
	if c.Size <= 0 || c.Droppable == nil {
		panic("mailbox: Size and Droppable are required")
	}
	drops := metrics.MailboxDropped.With(c.Actor)
	inner := actor.Unbounded()
	return func() actor.Mailbox {
		return &mailbox{Mailbox: inner(), cfg: c, drops: drops}
	}
}

// mailbox wraps protoactor's default mailbox: it decides at post time and learns of each
// message's delivery through the invoker it registers in place of the actor's.
type mailbox struct {
	actor.Mailbox
	cfg     Config
	drops   *metrics.Counter
	waiting atomic.Int64 // droppable messages posted and not yet delivered
}

func (m *mailbox) PostUserMessage(msg any) {
	if m.cfg.Droppable(msg) {
		if m.waiting.Add(1) > int64(m.cfg.Size) {
			m.waiting.Add(-1)
			m.drops.Inc()
			if m.cfg.Dropped != nil {
				m.cfg.Dropped.Add(1)
			}
			return
		}
	}
	m.Mailbox.PostUserMessage(msg)
}

func (m *mailbox) RegisterHandlers(invoker actor.MessageInvoker, dispatcher actor.Dispatcher) {
	m.Mailbox.RegisterHandlers(&countingInvoker{MessageInvoker: invoker, m: m}, dispatcher)
}

// Waiting is how many droppable messages wait (for tests).
func (m *mailbox) Waiting() int { return int(m.waiting.Load()) }

// countingInvoker takes a droppable message off the count as it is delivered, before the actor
// sees it: a message whose handling panics still leaves the queue.
type countingInvoker struct {
	actor.MessageInvoker
	m *mailbox
}

func (i *countingInvoker) InvokeUserMessage(msg any) {
	if i.m.cfg.Droppable(msg) {
		i.m.waiting.Add(-1)
	}
	i.MessageInvoker.InvokeUserMessage(msg)
}
