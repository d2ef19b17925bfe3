package call

import (
	"fmt"
	"time"

	"github.com/sipcast/sipcast/internal/sipua"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// registrationRetry is how soon a failed refresh is tried again while the call goes on.
const registrationRetry = 30 * time.Second

// registration is the binding a call with sipRegisterRequired keeps at the registrar, decided
// without I/O: what each REGISTER's outcome means (place the call, fail it, report a status),
// and when the next refresh is due. The actor sends the REGISTERs and runs the timer.
type registration struct {
	expires time.Duration    // the lifetime asked of the registrar (Config.RegisterExpires)
	now     func() time.Time // the call's clock

	registered bool
	pending    bool // a REGISTER is under way
	ended      bool // the removal was sent: nothing more
	gen        int
}

func newRegistration(expires time.Duration, now func() time.Time) registration {
	return registration{expires: expires, now: now}
}

// send marks a REGISTER under way; it asks for expires seconds.
func (r *registration) send() (expires int) {
	r.pending = true
	return int(r.expires.Seconds())
}

// abandon forgets the REGISTER under way: its outcome came after the call ended.
func (r *registration) abandon() { r.pending = false }

// regStep is what a REGISTER's outcome asks of the actor.
type regStep struct {
	// status, code, reason and expires are the RegistrationChanged to report.
	status  string
	code    int
	reason  string
	expires int
	invite  bool   // the first registration succeeded: place the call
	fail    string // the first registration failed: the call fails with this reason
	due     *timerDue
}

// done takes the outcome of a REGISTER. callPending: the call is still PENDING, so an outcome
// before any success is the first one, which the INVITE waits on. authName words a refusal.
// False when the outcome comes too late to matter (the removal was sent).
func (r *registration) done(res sipua.RegisterResult, err error, callPending bool, authName string) (regStep, bool) {
	r.pending = false
	if r.ended {
		return regStep{}, false
	}
	first := !r.registered && callPending
	step := regStep{code: res.Code}
	switch {
	case err != nil:
		step.code, step.reason = 408, fmt.Sprintf("no final answer from the registrar: %v", err)
	case res.Code >= 200 && res.Code < 300:
		r.registered = true
		step.status, step.expires, step.invite = callapi.RegistrationRegistered, res.Expires, first
		due := r.refreshAt(time.Duration(res.Expires) * time.Second)
		step.due = &due
		return step, true
	default:
		step.reason = fmt.Sprintf("SIP %d %s", res.Code, res.Reason)
	}
	step.status = callapi.RegistrationUnregistered
	if authRefused(step.code, res.AuthSent) {
		step.status = callapi.RegistrationAuthFail
		step.reason = fmt.Sprintf("credentials of %q refused: %s", authName, step.reason)
	}
	r.registered = false
	if first {
		step.fail = fmt.Sprintf("%v: %s", ErrRegistration, step.reason)
		return step, true
	}
	// A refresh failed while the call is up: the dialog does not need the binding; try again.
	due := r.retryAt(registrationRetry)
	step.due = &due
	return step, true
}

// refreshAt is the refresh of a binding granted for granted (0: as long as we asked): a quarter
// early, at most a minute (RFC 3261 §10.2.4 leaves the margin to us).
func (r *registration) refreshAt(granted time.Duration) timerDue {
	if granted <= 0 {
		granted = r.expires
	}
	return r.retryAt(granted - min(granted/4, time.Minute))
}

// retryAt is a refresh after d; every earlier one is stale.
func (r *registration) retryAt(d time.Duration) timerDue {
	r.gen++
	return timerDue{kind: timerRegister, at: r.now().Add(d), gen: r.gen}
}

// fired reports whether a registration timer of generation gen asks for a refresh now: it is
// the current one, and no REGISTER is under way or the removal sent.
func (r *registration) fired(gen int) bool {
	return gen == r.gen && !r.ended && !r.pending
}

// end makes every refresh stale and reports whether the binding must be removed (REGISTER with
// Expires 0): it was, or may be about to be, registered.
func (r *registration) end() bool {
	r.gen++
	if r.ended || !(r.registered || r.pending) {
		return false
	}
	r.ended = true
	return true
}

// authRefused reports whether a final answer refuses credentials: a challenge we could not
// satisfy, or 403 to a request that carried them.
func authRefused(code int, authSent bool) bool {
	return code == 401 || code == 407 || (code == 403 && authSent)
}
