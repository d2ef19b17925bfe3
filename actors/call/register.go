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
	a.dlg.binding = b
	a.behavior.Become(a.registering)
	a.register()
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
func (a *Actor) register() {
	expires := a.dlg.reg.send()
	b, root, self := a.dlg.binding, a.system.Root, a.self
	go func() {
		defer a.recoverGoroutine("register", func(err error) any { return &registerDone{expires: expires, err: err} })
		ctx, cancel := context.WithTimeout(context.Background(), registerTimeout)
		defer cancel()
		res, err := b.Register(ctx, expires)
		root.Send(self, &registerDone{expires: expires, res: res, err: err})
	}()
}

// handleRegisterDone reports a REGISTER's outcome and does what it means (registration.go).
func (a *Actor) handleRegisterDone(ctx actor.Context, m *registerDone) {
	if a.done {
		a.dlg.reg.abandon()
		return
	}
	step, ok := a.dlg.reg.done(m.res, m.err, a.call.Status == callapi.StatusPending, a.cfg.Spec.SIPAuthName)
	if !ok {
		return
	}
	a.emitRegistration(step.status, step.code, step.reason, step.expires)
	if step.due != nil {
		a.arm(&a.dlg.regWait, *step.due)
	}
	switch {
	case step.fail != "":
		a.finish(ctx, callapi.StatusFailed, step.code, step.fail)
	case step.invite:
		a.behavior.Become(a.inviting)
		a.startInvite(ctx)
	case step.status != callapi.RegistrationRegistered:
		a.log.Warn("registration refresh failed", "code", step.code, "reason", step.reason)
	}
}

// refreshRegistration refreshes the binding when the timer of generation gen is current.
func (a *Actor) refreshRegistration(gen int) {
	if a.dlg.reg.fired(gen) && a.dlg.binding != nil && !a.done {
		a.register()
	}
}

// endRegistration removes the binding (REGISTER with Expires 0) once the call is over. The
// actor is stopping, so the goroutine reports UNREGISTERED to the registry itself.
func (a *Actor) endRegistration() {
	disarm(&a.dlg.regWait)
	if a.dlg.binding == nil || !a.dlg.reg.end() {
		return
	}
	b, root, parent := a.dlg.binding, a.system.Root, a.dlg.parent
	body := registrationOf(a.cfg.Spec, a.cfg.NodeID, callapi.RegistrationUnregistered, 0, "", 0)
	log := a.log
	go func() {
		defer a.recoverGoroutine("unregister", nil)
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
		a.system.Root.Send(a.dlg.parent, &RegistrationChanged{Registration: registrationOf(a.cfg.Spec, a.cfg.NodeID, status, code, reason, expires)})
	}
}

// registrationOf is the RegistrationStatusEvent body of the call of startup s.
func registrationOf(s callapi.Startup, nodeID, status string, code int, reason string, expires int) callapi.Registration {
	return callapi.Registration{NodeID: callapi.Str(nodeID), AppKey: callapi.Str(s.AppKey), CallID: s.CallID,
		Status: status, SIPStatus: callapi.Int(code), SIPLogin: s.SIPLogin, SIPDomain: s.SIPDomain,
		Expires: expires, Reason: callapi.Str(reason)}
}

// failureReason words the end of a call whose INVITE got a final non-2xx answer: refused
// credentials and missing ones are told apart from any other refusal.
func failureReason(s callapi.Startup, final *sipua.FinalResponseError, err error) string {
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
