package call

import (
	"context"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/protocol/callapi"
)

// refreshTimeout bounds one refresh transaction: sipgo's Timer B/F is 32 s.
const refreshTimeout = 32 * time.Second

// startSessionTimer starts the timer the callee's 2xx asked for (sessiontimer.go decides).
func (a *Actor) startSessionTimer(ctx actor.Context) {
	st := &a.dlg.session
	info := a.sess.Answer()
	due, ok, err := st.start(info)
	if err != nil {
		a.log.Warn("ignoring the 2xx's Session-Expires", "value", info.SessionExpires, "err", err)
		return
	}
	if ok {
		a.log.Info("session timer", st.logAttrs()...)
		a.arm(&a.dlg.sessionWait, due)
	}
}

// armSessionTimer (re)starts the session's wait after the callee's refresh was answered.
func (a *Actor) armSessionTimer() {
	disarm(&a.dlg.sessionWait)
	if due, ok := a.dlg.session.arm(); ok {
		a.arm(&a.dlg.sessionWait, due)
	}
}

// arm starts the wait a part asked for, replacing the one in slot.
func (a *Actor) arm(slot **time.Timer, due timerDue) {
	disarm(slot)
	root, self, msg := a.system.Root, a.self, &timerFired{kind: due.kind, gen: due.gen}
	*slot = time.AfterFunc(due.at.Sub(a.cfg.Now()), func() { root.Send(self, msg) })
}

// disarm stops the wait in slot. Its generation is stale already: this only frees it early.
func disarm(slot **time.Timer) {
	if *slot != nil {
		(*slot).Stop()
		*slot = nil
	}
}

func (a *Actor) handleTimer(ctx actor.Context, m *timerFired) {
	if m.kind == timerRegister {
		a.refreshRegistration(m.gen)
		return
	}
	refresh, expired := a.dlg.session.fired(m)
	switch {
	case !a.inCall():
	case refresh:
		a.sendRefresh()
	case expired != "":
		a.hangup(ctx, callapi.StatusFailed, expired)
	}
}

// sendRefresh sends the refresh the session timer words, in a goroutine; refreshDone reports it.
func (a *Actor) sendRefresh() {
	r, ok := a.dlg.session.refresh(a.dlg.sdp.local)
	if !ok {
		return
	}
	sess, root, self := a.sess, a.system.Root, a.self
	a.log.Info("refreshing the session", "method", r.Method, "interval", a.dlg.session.interval)
	go func() {
		defer a.recoverGoroutine("refresh", func(err error) any { return &refreshDone{method: r.Method, err: err} })
		ctx, cancel := context.WithTimeout(context.Background(), refreshTimeout)
		defer cancel()
		reply, err := sess.Update(ctx, r)
		root.Send(self, &refreshDone{method: r.Method, reply: reply, err: err})
	}()
}

func (a *Actor) handleRefreshDone(ctx actor.Context, m *refreshDone) {
	st := &a.dlg.session
	if !a.inCall() {
		st.abandon()
		return
	}
	step := st.refreshed(m.method, m.reply, m.err)
	if step.answer != nil {
		a.applyAnswer(ctx, step.answer)
	}
	switch {
	case step.warn:
		a.log.Warn(step.note)
	case step.note != "":
		a.log.Info(step.note)
	}
	if step.hangup != "" {
		a.hangup(ctx, callapi.StatusFailed, step.hangup)
		return
	}
	if step.rewait {
		disarm(&a.dlg.sessionWait)
		if step.due != nil {
			a.arm(&a.dlg.sessionWait, *step.due)
			a.log.Info("session timer", st.logAttrs()...)
		}
	}
	if step.resend {
		a.sendRefresh()
	}
}
