package call

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/internal/sipua"
	"github.com/sipcast/sipcast/protocol/callapi"
	"github.com/sipcast/sipcast/protocol/sipheader"
)

// refreshTimeout bounds one refresh transaction: sipgo's Timer B/F is 32 s.
const refreshTimeout = 32 * time.Second

// maxRefreshRetries bounds the refreshes re-sent at once after a 422 or a 501 to UPDATE.
const maxRefreshRetries = 3

// sessionTimer is the RFC 4028 session timer of the dialog: whoever is the refresher re-sends a
// re-INVITE or UPDATE before half the interval is up; the other side ends the session when none
// came by the interval less a margin.
type sessionTimer struct {
	interval   time.Duration // 0: no session timer
	weRefresh  bool
	useUpdate  bool // the callee's Allow has UPDATE: refresh without SDP
	gen        int
	timer      *time.Timer
	refreshing bool
	retries    int
}

// startSessionTimer starts the timer the callee's 2xx asked for (none without Session-Expires:
// RFC 4028 §7.2).
func (a *Actor) startSessionTimer(info sipua.AnswerInfo) {
	st := &a.dlg.session
	st.useUpdate = sipheader.HasToken(info.Allow, "UPDATE")
	if info.SessionExpires == "" {
		return
	}
	se, err := sipheader.ParseSessionExpires(info.SessionExpires)
	if err != nil {
		a.log.Warn("ignoring the 2xx's Session-Expires", "value", info.SessionExpires, "err", err)
		return
	}
	a.applySessionExpires(se, true)
	a.armSessionTimer()
}

// applySessionExpires takes a Session-Expires that settled a refresh. Its refresher names a role
// in the transaction that carried it: ours says whether we were that transaction's client. A 2xx
// to our request without a refresher leaves the refreshes to us, who asked.
func (a *Actor) applySessionExpires(se sipheader.SessionExpires, ours bool) {
	st := &a.dlg.session
	st.interval = time.Duration(se.Seconds) * time.Second
	switch se.Refresher {
	case sipheader.RefresherUAC:
		st.weRefresh = ours
	case sipheader.RefresherUAS:
		st.weRefresh = !ours
	default:
		st.weRefresh = ours
	}
	a.log.Info("session timer", "interval", st.interval, "weRefresh", st.weRefresh, "update", st.useUpdate)
}

// armSessionTimer (re)starts the wait: for our refresh at half the interval, or for the callee's
// until the interval less min(32 s, a third) (RFC 4028 §10).
func (a *Actor) armSessionTimer() {
	st := &a.dlg.session
	a.stopSessionTimer()
	if st.interval <= 0 {
		return
	}
	kind, after := timerExpire, st.interval-min(32*time.Second, st.interval/3)
	if st.weRefresh {
		kind, after = timerRefresh, st.interval/2
	}
	st.timer = a.after(after, kind, st.gen)
}

func (a *Actor) stopSessionTimer() {
	st := &a.dlg.session
	st.gen++
	if st.timer != nil {
		st.timer.Stop()
		st.timer = nil
	}
}

// after sends the actor a timerFired of kind and gen after d.
func (a *Actor) after(d time.Duration, kind timerKind, gen int) *time.Timer {
	root, self := a.system.Root, a.self
	return time.AfterFunc(d, func() { root.Send(self, &timerFired{kind: kind, gen: gen}) })
}

func (a *Actor) handleTimer(ctx actor.Context, m *timerFired) {
	switch m.kind {
	case timerRefresh:
		if m.gen == a.dlg.session.gen && a.inCall() {
			a.sendRefresh()
		}
	case timerExpire:
		if m.gen == a.dlg.session.gen && a.inCall() {
			a.hangup(ctx, callapi.StatusFailed, fmt.Sprintf("%v: the callee sent no session refresh within %s (RFC 4028)",
				ErrSessionExpired, a.dlg.session.interval))
		}
	case timerRegister:
		if m.gen == a.dlg.reg.gen {
			a.refreshRegistration()
		}
	}
}

// sendRefresh refreshes the session: UPDATE without SDP when the callee takes it, else a
// re-INVITE with our unchanged SDP (same o= version: nothing changes, RFC 3264 §8).
func (a *Actor) sendRefresh() {
	st := &a.dlg.session
	if st.refreshing {
		return
	}
	st.refreshing = true
	r := sipua.Refresh{Method: "UPDATE", Headers: []sipua.Header{
		{Name: "Session-Expires", Value: sipheader.SessionExpires{Seconds: int(st.interval.Seconds()), Refresher: sipheader.RefresherUAC}.String()},
		{Name: "Min-SE", Value: strconv.Itoa(int(a.cfg.MinSE.Seconds()))},
		{Name: "Supported", Value: "timer"},
	}}
	if !st.useUpdate {
		r.Method, r.SDP = "INVITE", a.dlg.local
	}
	sess, root, self := a.sess, a.system.Root, a.self
	a.log.Info("refreshing the session", "method", r.Method, "interval", st.interval)
	go func() {
		defer a.recoverGoroutine("refresh")
		ctx, cancel := context.WithTimeout(context.Background(), refreshTimeout)
		defer cancel()
		reply, err := sess.Update(ctx, r)
		root.Send(self, &refreshDone{method: r.Method, reply: reply, err: err})
	}()
}

func (a *Actor) handleRefreshDone(ctx actor.Context, m *refreshDone) {
	st := &a.dlg.session
	st.refreshing = false
	if !a.inCall() {
		return
	}
	if m.err != nil {
		// RFC 4028 §10: a refresh that times out ends the session with BYE.
		a.hangup(ctx, callapi.StatusFailed, fmt.Sprintf("session refresh (%s) failed: %v", m.method, m.err))
		return
	}
	r := m.reply
	retry := st.retries < maxRefreshRetries
	switch code := r.Code; {
	case code >= 200 && code < 300:
		st.retries = 0
		if len(r.SDP) > 0 && m.method == "INVITE" {
			a.applyAnswer(ctx, r.SDP)
		}
		if r.SessionExpires == "" {
			a.log.Info("session timer off: the refresh's 2xx had no Session-Expires")
			st.interval = 0
			a.stopSessionTimer()
			return
		}
		if se, err := sipheader.ParseSessionExpires(r.SessionExpires); err == nil {
			a.applySessionExpires(se, true)
		}
		a.armSessionTimer()
	case code == 422 && retry:
		st.retries++
		if n, err := sipheader.ParseMinSE(r.MinSE); err == nil {
			st.interval = max(st.interval, time.Duration(n)*time.Second)
		}
		a.sendRefresh()
	case (code == 501 || code == 405) && m.method == "UPDATE" && retry:
		st.retries++
		st.useUpdate = false
		a.sendRefresh()
	case code == 491:
		// Glare with the callee's own request: try again after 2.1–4 s (RFC 3261 §14.1, as the
		// owner of the Call-ID).
		a.stopSessionTimer()
		st.timer = a.after(2100*time.Millisecond+rand.N(1900*time.Millisecond), timerRefresh, st.gen)
	case code == 408 || code == 481:
		a.hangup(ctx, callapi.StatusFailed, fmt.Sprintf("session refresh (%s) answered %d %s: the dialog is gone", m.method, code, r.Reason))
	default:
		// The session goes on until it expires (RFC 4028 §10); the callee may still refresh.
		a.log.Warn("session refresh refused", "method", m.method, "code", code, "reason", r.Reason)
		st.weRefresh = false
		a.stopSessionTimer()
		st.timer = a.after(st.interval/2-min(32*time.Second, st.interval/3), timerExpire, st.gen)
	}
}

// peerSessionTimer settles the session timer of a re-INVITE or UPDATE of the callee: the
// headers of our 2xx, or the 422 that refuses an interval below our Min-SE (RFC 4028 §9).
func (a *Actor) peerSessionTimer(req *sipua.Request) ([]sipua.Header, *sipua.Response) {
	st := &a.dlg.session
	theyTime := sipheader.HasToken(req.Header("Supported"), "timer") || sipheader.HasToken(req.Header("k"), "timer")
	value := req.Header("Session-Expires")
	if value == "" {
		value = req.Header("x")
	}
	if value == "" {
		if st.interval <= 0 {
			return nil, nil
		}
		// The callee asked for no timer; we keep ours, and refresh ourselves.
		a.applySessionExpires(sipheader.SessionExpires{Seconds: int(st.interval.Seconds()), Refresher: sipheader.RefresherUAS}, false)
		return []sipua.Header{{Name: "Session-Expires", Value: fmt.Sprintf("%d;refresher=uas", int(st.interval.Seconds()))}}, nil
	}
	se, err := sipheader.ParseSessionExpires(value)
	if err != nil {
		return nil, &sipua.Response{Code: 400, Reason: "Bad Session-Expires"}
	}
	if minSE := int(a.cfg.MinSE.Seconds()); se.Seconds < minSE {
		return nil, &sipua.Response{Code: 422, Headers: []sipua.Header{{Name: "Min-SE", Value: strconv.Itoa(minSE)}}}
	}
	if se.Refresher == "" {
		se.Refresher = sipheader.RefresherUAS
		if theyTime {
			se.Refresher = sipheader.RefresherUAC
		}
	}
	a.applySessionExpires(se, false)
	hdrs := []sipua.Header{{Name: "Session-Expires", Value: se.String()}}
	if se.Refresher == sipheader.RefresherUAC {
		hdrs = append(hdrs, sipua.Header{Name: "Require", Value: "timer"})
	}
	return hdrs, nil
}
