package call

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/internal/sipua"
)

// t0 is the fake clock's reading in the parts' tests.
var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func fixedClock() time.Time { return t0 }

func testSessionTimer() sessionTimer {
	st := newSessionTimer(90*time.Second, fixedClock)
	st.jitter = func(n time.Duration) time.Duration { return n / 2 }
	return st
}

// The callee's 2xx to the INVITE: which wait, when.
func TestSessionTimerStart(t *testing.T) {
	for _, tc := range []struct {
		name      string
		info      sipua.AnswerInfo
		armed     bool
		kind      timerKind
		after     time.Duration
		useUpdate bool
		err       bool
	}{
		{"no Session-Expires: no timer (RFC 4028 §7.2)", sipua.AnswerInfo{Allow: "INVITE, UPDATE"}, false, 0, 0, true, false},
		{"refresher=uac: we refresh at half", sipua.AnswerInfo{SessionExpires: "1800;refresher=uac"}, true, timerRefresh, 900 * time.Second, false, false},
		{"no refresher in a 2xx to us: we refresh", sipua.AnswerInfo{SessionExpires: "600"}, true, timerRefresh, 300 * time.Second, false, false},
		{"refresher=uas: the callee refreshes, we wait interval less 32 s", sipua.AnswerInfo{SessionExpires: "1800;refresher=uas"}, true, timerExpire, 1768 * time.Second, false, false},
		{"short interval: margin is a third", sipua.AnswerInfo{SessionExpires: "90;refresher=uas", Allow: "UPDATE"}, true, timerExpire, 60 * time.Second, true, false},
		{"unparsable: ignored", sipua.AnswerInfo{SessionExpires: "soon"}, false, 0, 0, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := testSessionTimer()
			due, ok, err := st.start(tc.info)
			if (err != nil) != tc.err || ok != tc.armed || st.useUpdate != tc.useUpdate {
				t.Fatalf("armed %v err %v update %v", ok, err, st.useUpdate)
			}
			if !ok {
				return
			}
			if due.kind != tc.kind || due.at != t0.Add(tc.after) || due.gen != st.gen {
				t.Fatalf("due %+v, want kind %v after %s", due, tc.kind, tc.after)
			}
			refresh, expired := st.fired(&timerFired{kind: due.kind, gen: due.gen})
			if refresh != (tc.kind == timerRefresh) || (expired != "") != (tc.kind == timerExpire) {
				t.Fatalf("fired: refresh %v expired %q", refresh, expired)
			}
			if tc.kind == timerExpire && !strings.Contains(expired, ErrSessionExpired.Error()) {
				t.Fatalf("reason %q", expired)
			}
			// A re-arm makes the old wait stale.
			st.arm()
			if r, e := st.fired(&timerFired{kind: due.kind, gen: due.gen}); r || e != "" {
				t.Fatal("a stale timer still acts")
			}
		})
	}
}

// Our refresh: UPDATE without SDP when the callee allows it, else a re-INVITE with our SDP;
// never two at once.
func TestSessionTimerRefresh(t *testing.T) {
	local := []byte("v=0\r\n")
	for _, update := range []bool{true, false} {
		st := testSessionTimer()
		st.interval, st.weRefresh, st.useUpdate = 1800*time.Second, true, update
		r, ok := st.refresh(local)
		if !ok {
			t.Fatal("no refresh")
		}
		want, body := "INVITE", local
		if update {
			want, body = "UPDATE", nil
		}
		if r.Method != want || string(r.SDP) != string(body) {
			t.Fatalf("update %v: %s with %q", update, r.Method, r.SDP)
		}
		if hdr(r.Headers, "Session-Expires") != "1800;refresher=uac" || hdr(r.Headers, "Min-SE") != "90" ||
			hdr(r.Headers, "Supported") != "timer" {
			t.Fatalf("headers %v", r.Headers)
		}
		if _, again := st.refresh(local); again {
			t.Fatal("a second refresh while one is under way")
		}
	}
}

func hdr(hs []sipua.Header, name string) string {
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

// What each answer to our refresh means.
func TestSessionTimerRefreshed(t *testing.T) {
	sdpBody := []byte("v=0\r\n")
	for _, tc := range []struct {
		name     string
		method   string
		reply    *sipua.Reply
		err      error
		retries  int
		hangup   string // substring; "" for none
		resend   bool
		answer   bool
		rewait   bool
		kind     timerKind
		after    time.Duration // of the new wait; 0: none
		interval time.Duration // after the step
		update   bool          // useUpdate after the step
	}{
		{name: "transaction failed: BYE", method: "UPDATE", err: errors.New("timeout"), hangup: "session refresh (UPDATE) failed",
			interval: 1800 * time.Second, update: true},
		{name: "2xx keeps the interval, we refresh", method: "UPDATE", reply: &sipua.Reply{Code: 200, SessionExpires: "1800;refresher=uac"},
			rewait: true, kind: timerRefresh, after: 900 * time.Second, interval: 1800 * time.Second, update: true},
		{name: "2xx hands the refresh to the callee", method: "UPDATE", reply: &sipua.Reply{Code: 200, SessionExpires: "1200;refresher=uas"},
			rewait: true, kind: timerExpire, after: 1168 * time.Second, interval: 1200 * time.Second, update: true},
		{name: "2xx without Session-Expires: timer off", method: "UPDATE", reply: &sipua.Reply{Code: 200},
			rewait: true, interval: 0, update: true},
		{name: "re-INVITE 2xx carries an answer", method: "INVITE", reply: &sipua.Reply{Code: 200, SDP: sdpBody, SessionExpires: "1800"},
			answer: true, rewait: true, kind: timerRefresh, after: 900 * time.Second, interval: 1800 * time.Second, update: true},
		{name: "422 raises the interval to Min-SE and resends", method: "UPDATE", reply: &sipua.Reply{Code: 422, MinSE: "3600"},
			resend: true, interval: 3600 * time.Second, update: true},
		{name: "422 with a lower Min-SE keeps ours", method: "UPDATE", reply: &sipua.Reply{Code: 422, MinSE: "120"},
			resend: true, interval: 1800 * time.Second, update: true},
		{name: "422 past the retries: refused", method: "UPDATE", reply: &sipua.Reply{Code: 422, MinSE: "3600"}, retries: maxRefreshRetries,
			rewait: true, kind: timerExpire, after: 900*time.Second - 32*time.Second, interval: 1800 * time.Second, update: true},
		{name: "501 to UPDATE: re-INVITE instead", method: "UPDATE", reply: &sipua.Reply{Code: 501},
			resend: true, interval: 1800 * time.Second, update: false},
		{name: "405 to UPDATE: re-INVITE instead", method: "UPDATE", reply: &sipua.Reply{Code: 405},
			resend: true, interval: 1800 * time.Second, update: false},
		{name: "501 to re-INVITE: refused", method: "INVITE", reply: &sipua.Reply{Code: 501},
			rewait: true, kind: timerExpire, after: 900*time.Second - 32*time.Second, interval: 1800 * time.Second, update: true},
		{name: "491 glare: again after 2.1 s plus jitter", method: "UPDATE", reply: &sipua.Reply{Code: 491},
			rewait: true, kind: timerRefresh, after: 2100*time.Millisecond + 950*time.Millisecond, interval: 1800 * time.Second, update: true},
		{name: "481: the dialog is gone", method: "UPDATE", reply: &sipua.Reply{Code: 481, Reason: "Gone"}, hangup: "answered 481 Gone",
			interval: 1800 * time.Second, update: true},
		{name: "408: the dialog is gone", method: "INVITE", reply: &sipua.Reply{Code: 408}, hangup: "answered 408",
			interval: 1800 * time.Second, update: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := testSessionTimer()
			st.interval, st.weRefresh, st.useUpdate, st.retries = 1800*time.Second, true, true, tc.retries
			st.refresh(nil)
			gen := st.gen
			step := st.refreshed(tc.method, tc.reply, tc.err)
			if st.refreshing {
				t.Fatal("still refreshing after the answer")
			}
			if (tc.hangup == "") != (step.hangup == "") || !strings.Contains(step.hangup, tc.hangup) {
				t.Fatalf("hangup %q, want %q", step.hangup, tc.hangup)
			}
			if step.resend != tc.resend || (step.answer != nil) != tc.answer || step.rewait != tc.rewait {
				t.Fatalf("step %+v", step)
			}
			if (step.due != nil) != (tc.after != 0) {
				t.Fatalf("due %+v, want after %s", step.due, tc.after)
			}
			if step.due != nil {
				if step.due.kind != tc.kind || step.due.at != t0.Add(tc.after) || step.due.gen != st.gen || st.gen == gen {
					t.Fatalf("due %+v (gen %d, was %d), want kind %v after %s", *step.due, st.gen, gen, tc.kind, tc.after)
				}
			}
			if st.interval != tc.interval || st.useUpdate != tc.update {
				t.Fatalf("interval %s update %v", st.interval, st.useUpdate)
			}
			if tc.resend {
				if _, ok := st.refresh(nil); !ok {
					t.Fatal("the resend is refused")
				}
			}
		})
	}
}

// The callee's re-INVITE or UPDATE: our 2xx's headers, or a refusal; who refreshes then.
func TestSessionTimerPeer(t *testing.T) {
	for _, tc := range []struct {
		name      string
		interval  time.Duration // ours before the request
		headers   []sipua.Header
		code      int // refusal; 0 for none
		se        string
		require   bool
		weRefresh bool
		after     time.Duration
	}{
		{name: "no timer either side", headers: nil},
		{name: "callee drops the timer: we keep ours and refresh", interval: 600 * time.Second,
			se: "600;refresher=uas", weRefresh: true, after: 300 * time.Second},
		{name: "callee refreshes (uac)", headers: []sipua.Header{{Name: "Session-Expires", Value: "1800;refresher=uac"}},
			se: "1800;refresher=uac", require: true, after: 1768 * time.Second},
		{name: "callee names us (uas)", headers: []sipua.Header{{Name: "Session-Expires", Value: "1800;refresher=uas"}},
			se: "1800;refresher=uas", weRefresh: true, after: 900 * time.Second},
		{name: "no refresher, callee supports timer: it refreshes",
			headers: []sipua.Header{{Name: "Session-Expires", Value: "1200"}, {Name: "Supported", Value: "100rel, timer"}},
			se:      "1200;refresher=uac", require: true, after: 1168 * time.Second},
		{name: "compact forms x and k", headers: []sipua.Header{{Name: "x", Value: "1200"}, {Name: "k", Value: "timer"}},
			se: "1200;refresher=uac", require: true, after: 1168 * time.Second},
		{name: "no refresher, no timer support: we refresh", headers: []sipua.Header{{Name: "Session-Expires", Value: "1200"}},
			se: "1200;refresher=uas", weRefresh: true, after: 600 * time.Second},
		{name: "below Min-SE: 422", headers: []sipua.Header{{Name: "Session-Expires", Value: "60"}}, code: 422},
		{name: "garbage: 400", headers: []sipua.Header{{Name: "Session-Expires", Value: "x;y"}}, code: 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := testSessionTimer()
			st.interval = tc.interval
			hdrs, refusal := st.peer(sipua.NewRequest("UPDATE", nil, tc.headers...))
			if tc.code != 0 {
				if refusal == nil || refusal.Code != tc.code {
					t.Fatalf("refusal %+v, want %d", refusal, tc.code)
				}
				if tc.code == 422 && hdr(refusal.Headers, "Min-SE") != "90" {
					t.Fatalf("422 without our Min-SE: %v", refusal.Headers)
				}
				return
			}
			if refusal != nil {
				t.Fatalf("refused %+v", refusal)
			}
			if hdr(hdrs, "Session-Expires") != tc.se || (hdr(hdrs, "Require") == "timer") != tc.require {
				t.Fatalf("headers %v", hdrs)
			}
			due, ok := st.arm()
			if ok != (tc.after != 0) || st.weRefresh != tc.weRefresh {
				t.Fatalf("armed %v weRefresh %v", ok, st.weRefresh)
			}
			if ok && due.at != t0.Add(tc.after) {
				t.Fatalf("due after %s, want %s", due.at.Sub(t0), tc.after)
			}
		})
	}
}
