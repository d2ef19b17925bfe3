package calltest

import (
	"context"

	"github.com/sipcast/sipcast/actors/sipua"
)

// Info records an INFO; Script.InfoCode, when set, is the callee's non-2xx answer to it.
func (s *Session) Info(_ context.Context, contentType string, body []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.infos = append(s.infos, contentType+"\n"+string(body))
	if s.script.InfoCode != 0 {
		return &sipua.FinalResponseError{Code: s.script.InfoCode, Reason: "scripted"}
	}
	return nil
}

// Infos returns each INFO sent so far as its content type, a newline, and its body.
func (s *Session) Infos() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.infos...)
}
