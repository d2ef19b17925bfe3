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
// This mailbox is protoactor's own (one FIFO, so messages keep the order they were sent in) with
// one check at post time: a message its Droppable function names — the media — is dropped on
// arrival when Size messages already wait, like a full socket buffer drops a datagram, and
// counted in sipcast_mailbox_dropped_total{actor}. Every other message — the control: commands,
// requests, ticks — is always queued; its senders bound it (the call sends a handful of
// commands, timers tick at fixed rates). System messages (stop, restart, watch) have their own
// queue and are never dropped. Nothing ever blocks a sender.
//
// The count is protoactor's own count of waiting user messages, taken off before each is
// handled: a message whose handling panics leaves it too. Senders racing for the last place
// may each get it, so the bound is Size plus one per concurrent sender (an RTP actor has two
// readers; a publisher hears from its call's two RTP actors).
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
	// Size is how many messages may wait before droppable ones are dropped; required (> 0).
	Size int
	// Droppable reports whether a message may be dropped when Size messages wait. It sees the
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

// mailbox wraps protoactor's default mailbox and decides at post time.
type mailbox struct {
	actor.Mailbox
	cfg   Config
	drops *metrics.Counter
}

func (m *mailbox) PostUserMessage(msg any) {
	if m.Mailbox.UserMessageCount() >= m.cfg.Size && m.cfg.Droppable(msg) {
		m.drops.Inc()
		if m.cfg.Dropped != nil {
			m.cfg.Dropped.Add(1)
		}
		return
	}
	m.Mailbox.PostUserMessage(msg)
}
