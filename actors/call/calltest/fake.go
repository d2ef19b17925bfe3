// Package calltest fakes the SIP edge of the call actor for unit tests: a Signaling whose
// sessions answer (or refuse) as told, record what the call did to them, and end on request.
// End-to-end tests use SIPp instead; this is only for tests of the actors' own logic.
package calltest

import (
	"context"
	"sync"

	"github.com/sipcast/sipcast/internal/sipua"
)

// Script says how a fake callee behaves.
type Script struct {
	Provisionals []int  // e.g. 100, 180
	AnswerSDP    []byte // nil with FinalCode == 0: never answers (waits for cancel)
	FinalCode    int    // non-2xx final answer, e.g. 486
	InfoCode     int    // non-2xx answer to every INFO, e.g. 415; 0 answers 200
	Dialog       DialogScript
	// InfoAccept, when set, is the callee's Accept: an INFO of a content type it does not name
	// is answered 415 carrying it, as RFC 3261 §21.4.16 says.
	InfoAccept string
	// PanicInvite makes Invite panic, as a SIP stack might on hostile input.
	PanicInvite bool
}

// Signaling is a fake SIP stack.
type Signaling struct {
	Script   Script
	mu       sync.Mutex
	invites  []sipua.Invite
	sessions []*Session
	bindings []*Binding
}

// Invite records the INVITE and returns a scripted session.
func (s *Signaling) Invite(_ context.Context, inv sipua.Invite) (sipua.Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Script.PanicInvite {
		panic("calltest: scripted panic in Invite")
	}
	sess := &Session{script: s.Script, ended: make(chan struct{})}
	s.invites = append(s.invites, inv)
	s.sessions = append(s.sessions, sess)
	return sess, nil
}

// Invites returns the INVITEs sent so far.
func (s *Signaling) Invites() []sipua.Invite {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sipua.Invite(nil), s.invites...)
}

// Sessions returns the sessions made so far.
func (s *Signaling) Sessions() []*Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Session(nil), s.sessions...)
}

// Session is a fake dialog.
type Session struct {
	script    Script
	mu        sync.Mutex
	acked     bool
	byes      int
	closed    bool
	endOnce   sync.Once
	ended     chan struct{}
	cancelled bool
	infos     []string
	dlg       dialogState
}

// WaitAnswer plays the script.
func (s *Session) WaitAnswer(ctx context.Context, onProvisional func(int, string)) ([]byte, error) {
	for _, code := range s.script.Provisionals {
		onProvisional(code, "")
	}
	switch {
	case s.script.FinalCode != 0:
		return nil, &sipua.FinalResponseError{Code: s.script.FinalCode, Reason: "scripted"}
	case s.script.AnswerSDP != nil:
		return s.script.AnswerSDP, nil
	}
	<-ctx.Done()
	s.mu.Lock()
	s.cancelled = true
	s.mu.Unlock()
	return nil, ctx.Err()
}

// Ack records the ACK.
func (s *Session) Ack(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.acked = true
	return nil
}

// Bye records the BYE and ends the dialog.
func (s *Session) Bye(context.Context) error {
	s.mu.Lock()
	s.byes++
	s.mu.Unlock()
	s.HangUp()
	return nil
}

// HangUp ends the dialog as a callee's BYE would.
func (s *Session) HangUp() { s.endOnce.Do(func() { close(s.ended) }) }

// Ended is closed when the dialog ends.
func (s *Session) Ended() <-chan struct{} { return s.ended }

// Close records the close.
func (s *Session) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
}

// State reports what the call did to the session.
func (s *Session) State() (acked bool, byes int, cancelled bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.acked, s.byes, s.cancelled
}
