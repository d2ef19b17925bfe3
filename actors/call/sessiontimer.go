package call

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/sipcast/sipcast/internal/sipua"
	"github.com/sipcast/sipcast/protocol/sipheader"
)

// maxRefreshRetries bounds the refreshes re-sent at once after a 422 or a 501 to UPDATE.
const maxRefreshRetries = 3

// expiryMargin is how long before the interval's end a session without the callee's refresh
// is given up: min(32 s, a third of the interval), RFC 4028 §10.
func expiryMargin(interval time.Duration) time.Duration { return min(32*time.Second, interval/3) }

// timerKind names the actor's timers; each kind has its own generation counter, so a timer that
// fires after it was re-armed or stopped is recognised and dropped.
type timerKind int

const (
	timerRefresh  timerKind = iota // our session refresh is due (we are the refresher)
	timerExpire                    // the callee's refresh is overdue: the session expired
	timerRegister                  // the registration must be refreshed
)

// timerDue is a wait a part of the call asks for: at at, the actor sends itself
// timerFired{kind, gen}. A later wait of the same kind bumps gen, so a stale one is dropped.
type timerDue struct {
	kind timerKind
	at   time.Time
	gen  int
}

// sessionTimer is the RFC 4028 session timer of the dialog, decided without I/O: whoever is the
// refresher re-sends a re-INVITE or UPDATE before half the interval is up; the other side ends
// the session when none came by the interval less a margin. It says when to wait until, what
// our refresh carries and what each answer means; the actor runs the timers and transactions.
type sessionTimer struct {
	minSE time.Duration    // the shortest interval we accept (Config.MinSE)
	now   func() time.Time // the call's clock
	// jitter is uniform in [0, n): the back-off after glare. rand.N; tests fix it.
	jitter func(n time.Duration) time.Duration

	interval   time.Duration // 0: no session timer
	weRefresh  bool
	useUpdate  bool // the callee's Allow has UPDATE: refresh without SDP
	gen        int
	refreshing bool
	retries    int
}

func newSessionTimer(minSE time.Duration, now func() time.Time) sessionTimer {
	return sessionTimer{minSE: minSE, now: now, jitter: rand.N[time.Duration]}
}

// start takes the callee's 2xx to the INVITE: the wait it asks for (none without
// Session-Expires: RFC 4028 §7.2). An unparsable Session-Expires is an error and no timer.
func (st *sessionTimer) start(info sipua.AnswerInfo) (timerDue, bool, error) {
	st.useUpdate = sipheader.HasToken(info.Allow, "UPDATE")
	if info.SessionExpires == "" {
		return timerDue{}, false, nil
	}
	se, err := sipheader.ParseSessionExpires(info.SessionExpires)
	if err != nil {
		return timerDue{}, false, err
	}
	st.apply(se, true)
	due, ok := st.arm()
	return due, ok, nil
}

// apply takes a Session-Expires that settled a refresh. Its refresher names a role in the
// transaction that carried it: ours says whether we were that transaction's client. A 2xx to
// our request without a refresher leaves the refreshes to us, who asked.
func (st *sessionTimer) apply(se sipheader.SessionExpires, ours bool) {
	st.interval = time.Duration(se.Seconds) * time.Second
	switch se.Refresher {
	case sipheader.RefresherUAC:
		st.weRefresh = ours
	case sipheader.RefresherUAS:
		st.weRefresh = !ours
	default:
		st.weRefresh = ours
	}
}

// arm (re)starts the wait: for our refresh at half the interval, or for the callee's until the
// interval less the margin. Every earlier wait is stale; false when no timer runs.
func (st *sessionTimer) arm() (timerDue, bool) {
	st.stop()
	if st.interval <= 0 {
		return timerDue{}, false
	}
	kind, after := timerExpire, st.interval-expiryMargin(st.interval)
	if st.weRefresh {
		kind, after = timerRefresh, st.interval/2
	}
	return timerDue{kind: kind, at: st.now().Add(after), gen: st.gen}, true
}

// stop makes every armed wait stale.
func (st *sessionTimer) stop() { st.gen++ }

// fired tells what a timer of the session means: a refresh of ours to send, or the reason the
// session expired; neither when the timer is stale.
func (st *sessionTimer) fired(m *timerFired) (refresh bool, expired string) {
	if m.gen != st.gen {
		return false, ""
	}
	switch m.kind {
	case timerRefresh:
		return true, ""
	case timerExpire:
		return false, fmt.Sprintf("%v: the callee sent no session refresh within %s (RFC 4028)", ErrSessionExpired, st.interval)
	}
	return false, ""
}

// refresh is our next refresh: UPDATE without SDP when the callee takes it, else a re-INVITE
// with local, our unchanged SDP (same o= version: nothing changes, RFC 3264 §8). False while
// one is under way.
func (st *sessionTimer) refresh(local []byte) (sipua.Refresh, bool) {
	if st.refreshing {
		return sipua.Refresh{}, false
	}
	st.refreshing = true
	r := sipua.Refresh{Method: "UPDATE", Headers: []sipua.Header{
		{Name: "Session-Expires", Value: sipheader.SessionExpires{Seconds: int(st.interval.Seconds()), Refresher: sipheader.RefresherUAC}.String()},
		{Name: "Min-SE", Value: strconv.Itoa(int(st.minSE.Seconds()))},
		{Name: "Supported", Value: "timer"},
	}}
	if !st.useUpdate {
		r.Method, r.SDP = "INVITE", local
	}
	return r, true
}

// refreshStep is what the answer to our refresh asks of the actor, in this order: apply answer,
// end the call, send the refresh again, or replace the session's wait.
type refreshStep struct {
	answer []byte // the SDP answer of our re-INVITE's 2xx
	hangup string // end the call with BYE for this reason
	resend bool   // send the refresh again at once
	rewait bool   // the old wait is stale; wait for due instead, if set
	due    *timerDue
	note   string // why, for the log
	warn   bool   // note is a warning
}

// abandon forgets the refresh under way: its answer came when the dialog was ending.
func (st *sessionTimer) abandon() { st.refreshing = false }

// refreshed takes the answer (or transaction error) to our refresh sent as method.
func (st *sessionTimer) refreshed(method string, r *sipua.Reply, err error) refreshStep {
	st.refreshing = false
	if err != nil {
		// RFC 4028 §10: a refresh that times out ends the session with BYE.
		return refreshStep{hangup: fmt.Sprintf("session refresh (%s) failed: %v", method, err)}
	}
	var step refreshStep
	retry := st.retries < maxRefreshRetries
	switch code := r.Code; {
	case code >= 200 && code < 300:
		st.retries = 0
		if len(r.SDP) > 0 && method == "INVITE" {
			step.answer = r.SDP
		}
		step.rewait = true
		if r.SessionExpires == "" {
			step.note = "session timer off: the refresh's 2xx had no Session-Expires"
			st.interval = 0
			st.stop()
			return step
		}
		if se, err := sipheader.ParseSessionExpires(r.SessionExpires); err == nil {
			st.apply(se, true)
		}
		if due, ok := st.arm(); ok {
			step.due = &due
		}
	case code == 422 && retry:
		st.retries++
		if n, err := sipheader.ParseMinSE(r.MinSE); err == nil {
			st.interval = max(st.interval, time.Duration(n)*time.Second)
		}
		step.resend = true
	case (code == 501 || code == 405) && method == "UPDATE" && retry:
		st.retries++
		st.useUpdate = false
		step.resend = true
	case code == 491:
		// Glare with the callee's own request: try again after 2.1–4 s (RFC 3261 §14.1, as the
		// owner of the Call-ID).
		st.stop()
		step.rewait = true
		step.due = &timerDue{kind: timerRefresh, at: st.now().Add(2100*time.Millisecond + st.jitter(1900*time.Millisecond)), gen: st.gen}
	case code == 408 || code == 481:
		step.hangup = fmt.Sprintf("session refresh (%s) answered %d %s: the dialog is gone", method, code, r.Reason)
	default:
		// The session goes on until it expires (RFC 4028 §10); the callee may still refresh.
		step.note, step.warn = fmt.Sprintf("session refresh (%s) refused: %d %s", method, code, r.Reason), true
		st.weRefresh = false
		st.stop()
		step.rewait = true
		step.due = &timerDue{kind: timerExpire, at: st.now().Add(st.interval/2 - expiryMargin(st.interval)), gen: st.gen}
	}
	return step
}

// peer settles the session timer of a re-INVITE or UPDATE of the callee: the headers of our 2xx,
// or the 422 that refuses an interval below our Min-SE (RFC 4028 §9). The caller re-arms once
// the request is answered.
func (st *sessionTimer) peer(req *sipua.Request) ([]sipua.Header, *sipua.Response) {
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
		st.apply(sipheader.SessionExpires{Seconds: int(st.interval.Seconds()), Refresher: sipheader.RefresherUAS}, false)
		return []sipua.Header{{Name: "Session-Expires", Value: fmt.Sprintf("%d;refresher=uas", int(st.interval.Seconds()))}}, nil
	}
	se, err := sipheader.ParseSessionExpires(value)
	if err != nil {
		return nil, &sipua.Response{Code: 400, Reason: "Bad Session-Expires"}
	}
	if minSE := int(st.minSE.Seconds()); se.Seconds < minSE {
		return nil, &sipua.Response{Code: 422, Headers: []sipua.Header{{Name: "Min-SE", Value: strconv.Itoa(minSE)}}}
	}
	if se.Refresher == "" {
		se.Refresher = sipheader.RefresherUAS
		if theyTime {
			se.Refresher = sipheader.RefresherUAC
		}
	}
	st.apply(se, false)
	hdrs := []sipua.Header{{Name: "Session-Expires", Value: se.String()}}
	if se.Refresher == sipheader.RefresherUAC {
		hdrs = append(hdrs, sipua.Header{Name: "Require", Value: "timer"})
	}
	return hdrs, nil
}

// logAttrs describe the timer for the log.
func (st *sessionTimer) logAttrs() []any {
	return []any{"interval", st.interval, "weRefresh", st.weRefresh, "update", st.useUpdate}
}
