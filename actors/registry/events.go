package registry

import (
	"github.com/sipcast/sipcast/actors/call"
	"github.com/sipcast/sipcast/actors/notify"
)

// handleCallEvent forwards a call's events other than snapshots to the notifications, in the
// order the call sent them. A registration's removal may come after the call ended: it is still
// about that call, and goes out too.
func (a *Actor) handleCallEvent(m any) {
	if a.cfg.Publish == nil {
		return
	}
	switch m := m.(type) {
	case *call.DTMFReceived:
		a.cfg.Publish(notify.EventIncomingDTMF, m.DTMF.CallID, deref(m.DTMF.AppKey), m.DTMF)
	case *call.RegistrationChanged:
		a.cfg.Publish(notify.EventRegistrationStatus, m.Registration.CallID, deref(m.Registration.AppKey), m.Registration)
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
