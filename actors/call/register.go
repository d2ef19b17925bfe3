package call

import (
	"context"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/internal/sipua"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// registerTimeout bounds one REGISTER (with its challenge): sipgo's Timer F is 32 s.
const registerTimeout = 32 * time.Second

// unregisterTimeout bounds the REGISTER that removes the binding at the call's end: the call is
// over, nobody waits for it.
const unregisterTimeout = 5 * time.Second

// registrationRetry is how soon a failed refresh is tried again while the call goes on.
const registrationRetry = 30 * time.Second

// registration is the binding a call with sipRegisterRequired keeps at the registrar.
type registration struct {
	binding    sipua.Binding
	registered bool
	pending    bool // a REGISTER is under way
	ended      bool // the removal was sent: nothing more
	gen        int
	timer      *time.Timer
}

// placeCall sends the INVITE, first registering sipLogin@sipDomain when the startup asks for it.
func (a *Actor) placeCall(ctx actor.Context) {
	a.dlg.parent = ctx.Parent()
	s := a.cfg.Spec
	if !s.RegisterRequired {
		a.startInvite(ctx)
		return
	}
	user := s.SIPLogin
	if user == "" {
		user = "sipcast"
	}
	b, err := a.cfg.SIP.Bind(sipua.Registration{CallID: "reg-" + s.CallID, User: user, Domain: s.SIPDomain,
		Port: s.SIPPort, Proxy: s.SIPOutboundProxy, AuthUser: s.SIPAuthName, Password: s.SIPPassword,
		Transport: s.SIPTransport})
	if err != nil {
		a.finish(ctx, callapi.StatusFailed, 0, fmt.Sprintf("%v: %v", ErrRegistration, err))
		return
	}
	a.dlg.reg.binding = b
	a.behavior.Become(a.registering)
	a.register(int(a.cfg.RegisterExpires.Seconds()))
}

// registering: REGISTER sent, the INVITE waits for its success.
func (a *Actor) registering(ctx actor.Context) {
	if a.common(ctx) {
		return
	}
	if _, ok := ctx.Message().(*Hangup); ok {
		a.byRequest = true
		a.finish(ctx, callapi.StatusFinish, 0, "terminated before the call was placed (registering)")
	}
}

// register sends a REGISTER in a goroutine; registerDone reports it.
func (a *Actor) register(expires int) {
	r := &a.dlg.reg
	r.pending = true
	b, root, self := r.binding, a.system.Root, a.self
	go func() {
		defer a.recoverGoroutine("register")
		ctx, cancel := context.WithTimeout(context.Background(), registerTimeout)
		defer cancel()
		res, err := b.Register(ctx, expires)
		root.Send(self, &registerDone{expires: expires, res: res, err: err})
	}()
}

func (a *Actor) handleRegisterDone(ctx actor.Context, m *registerDone) {
	r := &a.dlg.reg
	r.pending = false
	if r.ended || a.done {
		return
	}
	first := !r.registered && a.call.Status == callapi.StatusPending
	code, reason := m.res.Code, ""
	switch {
	case m.err != nil:
		code, reason = 408, fmt.Sprintf("no final answer from the registrar: %v", m.err)
	case code >= 200 && code < 300:
		r.registered = true
		a.emitRegistration(callapi.RegistrationRegistered, code, "", m.res.Expires)
		a.armRegistration(time.Duration(m.res.Expires) * time.Second)
		if first {
			a.behavior.Become(a.inviting)
			a.startInvite(ctx)
		}
		return
	default:
		reason = fmt.Sprintf("SIP %d %s", code, m.res.Reason)
	}
	status := callapi.RegistrationUnregistered
	if authRefused(code, m.res.AuthSent) {
		status = callapi.RegistrationAuthFail
		reason = fmt.Sprintf("credentials of %q refused: %s", a.cfg.Spec.SIPAuthName, reason)
	}
	r.registered = false
	a.emitRegistration(status, code, reason, 0)
	if first {
		a.finish(ctx, callapi.StatusFailed, code, fmt.Sprintf("%v: %s", ErrRegistration, reason))
		return
	}
	// A refresh failed while the call is up: the dialog does not need the binding; try again.
	a.log.Warn("registration refresh failed", "code", code, "reason", reason)
	a.armRegistration(registrationRetry)
}

// authRefused reports whether a final answer refuses credentials: a challenge we could not
// satisfy, or 403 to a request that carried them.
func authRefused(code int, authSent bool) bool {
	return code == 401 || code == 407 || (code == 403 && authSent)
}

// armRegistration schedules the refresh before the binding expires: a quarter early, at most a
// minute (RFC 3261 §10.2.4 leaves the margin to us).
func (a *Actor) armRegistration(granted time.Duration) {
	r := &a.dlg.reg
	r.gen++
	if r.timer != nil {
		r.timer.Stop()
	}
	if granted <= 0 {
		granted = a.cfg.RegisterExpires
	}
	r.timer = a.after(granted-min(granted/4, time.Minute), timerRegister, r.gen)
}

func (a *Actor) refreshRegistration() {
	r := &a.dlg.reg
	if r.ended || r.pending || r.binding == nil || a.done {
		return
	}
	a.register(int(a.cfg.RegisterExpires.Seconds()))
}

// endRegistration removes the binding (REGISTER with Expires 0) once the call is over. The
// actor is stopping, so the goroutine reports UNREGISTERED to the registry itself.
func (a *Actor) endRegistration() {
	r := &a.dlg.reg
	if r.timer != nil {
		r.timer.Stop()
	}
	r.gen++
	if r.binding == nil || r.ended || !(r.registered || r.pending) {
		return
	}
	r.ended = true
	b, root, parent := r.binding, a.system.Root, a.dlg.parent
	body := a.registrationBody(callapi.RegistrationUnregistered, 0, "", 0)
	log := a.log
	go func() {
		defer a.recoverGoroutine("unregister")
		ctx, cancel := context.WithTimeout(context.Background(), unregisterTimeout)
		defer cancel()
		res, err := b.Register(ctx, 0)
		switch {
		case err != nil:
			body.Reason = callapi.Str(fmt.Sprintf("removal not confirmed: %v", err))
		case res.Code < 200 || res.Code >= 300:
			body.Reason = callapi.Str(fmt.Sprintf("removal refused: SIP %d %s", res.Code, res.Reason))
		}
		body.SIPStatus = callapi.Int(res.Code)
		log.Info("unregistered", "code", res.Code, "err", err)
		if parent != nil {
			root.Send(parent, &RegistrationChanged{Registration: body})
		}
	}()
}

func (a *Actor) emitRegistration(status string, code int, reason string, expires int) {
	a.log.Info("registration", "status", status, "sipStatus", code, "reason", reason, "expires", expires)
	if a.dlg.parent != nil {
		a.system.Root.Send(a.dlg.parent, &RegistrationChanged{Registration: a.registrationBody(status, code, reason, expires)})
	}
}

func (a *Actor) registrationBody(status string, code int, reason string, expires int) callapi.Registration {
	s := a.cfg.Spec
	return callapi.Registration{NodeID: callapi.Str(a.cfg.NodeID), AppKey: callapi.Str(s.AppKey), CallID: s.CallID,
		Status: status, SIPStatus: callapi.Int(code), SIPLogin: s.SIPLogin, SIPDomain: s.SIPDomain,
		Expires: expires, Reason: callapi.Str(reason)}
}

// failureReason words the end of a call whose INVITE got a final non-2xx answer: refused
// credentials and missing ones are told apart from any other refusal.
func (a *Actor) failureReason(final *sipua.FinalResponseError, err error) string {
	s := a.cfg.Spec
	switch {
	case (final.Code == 401 || final.Code == 407) && s.SIPPassword == "":
		return fmt.Sprintf("authentication required but no sipPassword given: %v", final)
	case authRefused(final.Code, final.AuthSent):
		return fmt.Sprintf("authentication failed: the credentials of %q were refused (%v)", s.SIPAuthName, final)
	case final.Code == 422:
		return fmt.Sprintf("session interval refused (%v, Min-SE %d)", final, final.MinSE)
	}
	return err.Error()
}
