package calltest

import (
	"context"
	"strings"

	"github.com/sipcast/sipcast/internal/sipua"
)

// Info records an INFO; Script.InfoCode, when set, is the callee's non-2xx answer to it, and
// Script.InfoAccept the content types it takes.
func (s *Session) Info(_ context.Context, contentType string, body []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.infos = append(s.infos, contentType+"\n"+string(body))
	if a := s.script.InfoAccept; a != "" && !names(a, contentType) {
		return &sipua.FinalResponseError{Code: 415, Reason: "Unsupported Media Type", Accept: a}
	}
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

// names reports whether a comma-separated Accept value lists the content type.
func names(accept, contentType string) bool {
	for _, t := range strings.Split(accept, ",") {
		if strings.EqualFold(strings.TrimSpace(t), contentType) {
			return true
		}
	}
	return false
}
