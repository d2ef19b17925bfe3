package call

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/internal/sipua"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// Each REGISTER outcome, first or a refresh: what is reported, and what the call does next.
func TestRegistrationDone(t *testing.T) {
	for _, tc := range []struct {
		name        string
		registered  bool // before the outcome
		callPending bool
		res         sipua.RegisterResult
		err         error
		status      string
		code        int
		reason      string // substring
		invite      bool
		fail        bool
		after       time.Duration // refresh wait; 0: none
	}{
		{name: "first 200: place the call, refresh a quarter early", callPending: true,
			res: sipua.RegisterResult{Code: 200, Expires: 120}, status: callapi.RegistrationRegistered, code: 200, invite: true, after: 90 * time.Second},
		{name: "long binding: a minute early at most", callPending: true,
			res: sipua.RegisterResult{Code: 200, Expires: 3600}, status: callapi.RegistrationRegistered, code: 200, invite: true, after: 3540 * time.Second},
		{name: "200 without Expires: what we asked", callPending: true,
			res: sipua.RegisterResult{Code: 200}, status: callapi.RegistrationRegistered, code: 200, invite: true, after: 540 * time.Second},
		{name: "refresh 200 while in call: no second INVITE", registered: true,
			res: sipua.RegisterResult{Code: 200, Expires: 600}, status: callapi.RegistrationRegistered, code: 200, after: 540 * time.Second},
		{name: "first 401 after credentials: AUTH_FAIL, the call fails", callPending: true,
			res: sipua.RegisterResult{Code: 401, Reason: "Unauthorized", AuthSent: true}, status: callapi.RegistrationAuthFail, code: 401,
			reason: `credentials of "alice" refused: SIP 401 Unauthorized`, fail: true},
		{name: "403 without credentials: plain refusal", callPending: true,
			res: sipua.RegisterResult{Code: 403, Reason: "Forbidden"}, status: callapi.RegistrationUnregistered, code: 403,
			reason: "SIP 403 Forbidden", fail: true},
		{name: "403 to credentials: AUTH_FAIL", callPending: true,
			res: sipua.RegisterResult{Code: 403, Reason: "Forbidden", AuthSent: true}, status: callapi.RegistrationAuthFail, code: 403, fail: true},
		{name: "no answer: 408", callPending: true, err: errors.New("timer F"),
			status: callapi.RegistrationUnregistered, code: 408, reason: "no final answer from the registrar: timer F", fail: true},
		{name: "refresh refused in call: retry in 30 s, the call goes on", registered: true,
			res: sipua.RegisterResult{Code: 500, Reason: "Oops"}, status: callapi.RegistrationUnregistered, code: 500, after: registrationRetry},
		{name: "refresh after a failed one (call up, not registered): retry", callPending: false,
			res: sipua.RegisterResult{Code: 503}, status: callapi.RegistrationUnregistered, code: 503, after: registrationRetry},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRegistration(10*time.Minute, fixedClock)
			r.registered = tc.registered
			if got := r.send(); got != 600 || !r.pending {
				t.Fatalf("asked %d", got)
			}
			gen := r.gen
			step, ok := r.done(tc.res, tc.err, tc.callPending, "alice")
			if !ok || r.pending {
				t.Fatalf("ok %v pending %v", ok, r.pending)
			}
			if step.status != tc.status || step.code != tc.code || !strings.Contains(step.reason, tc.reason) ||
				step.invite != tc.invite || (step.fail != "") != tc.fail {
				t.Fatalf("step %+v", step)
			}
			if tc.fail && !strings.Contains(step.fail, ErrRegistration.Error()) {
				t.Fatalf("fail %q", step.fail)
			}
			if r.registered != (tc.status == callapi.RegistrationRegistered) {
				t.Fatalf("registered %v", r.registered)
			}
			if (step.due != nil) != (tc.after != 0) {
				t.Fatalf("due %+v", step.due)
			}
			if step.due != nil {
				if step.due.kind != timerRegister || step.due.at != t0.Add(tc.after) || step.due.gen == gen || !r.fired(step.due.gen) {
					t.Fatalf("due %+v after %s, want %s", *step.due, step.due.at.Sub(t0), tc.after)
				}
				if r.fired(gen) {
					t.Fatal("the earlier timer still acts")
				}
			}
		})
	}
}

// The removal at the call's end: only of a binding that is, or may be, registered; once; and
// nothing after it.
func TestRegistrationEnd(t *testing.T) {
	for _, tc := range []struct {
		name                string
		registered, pending bool
		remove              bool
	}{
		{"registered", true, false, true},
		{"REGISTER under way", false, true, true},
		{"never registered", false, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRegistration(time.Hour, fixedClock)
			r.registered, r.pending = tc.registered, tc.pending
			due := r.refreshAt(time.Hour)
			if got := r.end(); got != tc.remove {
				t.Fatalf("remove %v", got)
			}
			if r.fired(due.gen) {
				t.Fatal("a refresh after the end")
			}
			if r.end() {
				t.Fatal("removed twice")
			}
			if tc.remove {
				if _, ok := r.done(sipua.RegisterResult{Code: 200, Expires: 60}, nil, false, ""); ok {
					t.Fatal("an outcome after the removal acts")
				}
			}
		})
	}
}

// A refresh timer fires only when current and no REGISTER is under way.
func TestRegistrationFired(t *testing.T) {
	r := newRegistration(time.Hour, fixedClock)
	due := r.refreshAt(0)
	if due.at != t0.Add(59*time.Minute) {
		t.Fatalf("refresh after %s", due.at.Sub(t0))
	}
	if !r.fired(due.gen) {
		t.Fatal("current timer ignored")
	}
	r.send()
	if r.fired(due.gen) {
		t.Fatal("refresh while one is under way")
	}
}
