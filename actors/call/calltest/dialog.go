package calltest

import (
	"context"
	"sync"

	"github.com/sipcast/sipcast/internal/sipua"
)

// DialogScript says how a fake callee behaves once the call is up, and how a fake registrar
// answers. The zero value answers every refresh and REGISTER with 200 and runs no session timer.
type DialogScript struct {
	Answer sipua.AnswerInfo // what the callee's 2xx said (Session-Expires, Allow)
	// UpdateCodes are the final answers to our refreshes, in turn; past the end, 200.
	UpdateCodes []int
	// UpdateSessionExpires is the Session-Expires of a 2xx to a refresh.
	UpdateSessionExpires string
	// RegisterCodes are the registrar's answers, in turn; past the end, 200 granting what was asked.
	RegisterCodes []int
}

// dialogState is the fake session's in-dialog side, made on first use.
type dialogState struct {
	once    sync.Once
	reqs    chan *sipua.Request
	updates []sipua.Refresh
}

func (s *Session) dialog() *dialogState {
	s.dlg.once.Do(func() { s.dlg.reqs = make(chan *sipua.Request, 16) })
	return &s.dlg
}

// Answer returns the scripted 2xx description.
func (s *Session) Answer() sipua.AnswerInfo { return s.script.Dialog.Answer }

// Requests delivers what Send injects.
func (s *Session) Requests() <-chan *sipua.Request { return s.dialog().reqs }

// Send plays a request of the callee (re-INVITE, UPDATE, INFO); the call's answer arrives on
// req.Answered().
func (s *Session) Send(req *sipua.Request) { s.dialog().reqs <- req }

// Update records a refresh of the call and answers it as scripted.
func (s *Session) Update(_ context.Context, r sipua.Refresh) (*sipua.Reply, error) {
	d := s.dialog()
	s.mu.Lock()
	defer s.mu.Unlock()
	d.updates = append(d.updates, r)
	code := 200
	if n := len(d.updates) - 1; n < len(s.script.Dialog.UpdateCodes) {
		code = s.script.Dialog.UpdateCodes[n]
	}
	reply := &sipua.Reply{Code: code, Reason: "scripted"}
	if code/100 == 2 {
		reply.SessionExpires = s.script.Dialog.UpdateSessionExpires
	}
	return reply, nil
}

// Updates returns the refreshes the call sent so far.
func (s *Session) Updates() []sipua.Refresh {
	d := s.dialog()
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sipua.Refresh(nil), d.updates...)
}

// Bind returns a fake registrar binding that records every REGISTER.
func (s *Signaling) Bind(reg sipua.Registration) (sipua.Binding, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := &Binding{Reg: reg, codes: s.Script.Dialog.RegisterCodes}
	s.bindings = append(s.bindings, b)
	return b, nil
}

// Bindings returns the bindings made so far.
func (s *Signaling) Bindings() []*Binding {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Binding(nil), s.bindings...)
}

// Binding is a fake registration.
type Binding struct {
	Reg     sipua.Registration
	mu      sync.Mutex
	codes   []int
	expires []int
}

// Register records the expiry asked for and answers as scripted.
func (b *Binding) Register(_ context.Context, expires int) (sipua.RegisterResult, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.expires = append(b.expires, expires)
	code := 200
	if n := len(b.expires) - 1; n < len(b.codes) {
		code = b.codes[n]
	}
	res := sipua.RegisterResult{Code: code, Reason: "scripted", AuthSent: code == 401 || code == 407 || code == 403}
	if code/100 == 2 {
		res.Expires = expires
	}
	return res, nil
}

// Expires returns the expiry of every REGISTER sent, in order (0: an unregistration).
func (b *Binding) Expires() []int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]int(nil), b.expires...)
}
