package sipua

import (
	"context"
	"fmt"

	"github.com/emiago/sipgo/sip"
)

// Info sends an INFO request in the dialog (RFC 6086) with the given body and waits for its
// final answer; a non-2xx answer is a *FinalResponseError (a 415's carries the device's Accept).
// The request goes to the callee's Contact, through the route set its 200 recorded, like a BYE.
func (s *session) Info(ctx context.Context, contentType string, body []byte) error {
	d := s.s
	if d.InviteResponse == nil || !s.answered() {
		return fmt.Errorf("%w: INFO before the dialog exists", ErrNoDialog)
	}
	// The callee's current Contact (target refreshes move it), through the proxy when it
	// recorded no route: as BYE and the refreshes go.
	req := sip.NewRequest(sip.INFO, *s.remoteTarget())
	s.viaProxy(req)
	req.AppendHeader(sip.NewHeader("Content-Type", contentType))
	req.SetBody(body)
	res, err := d.Do(ctx, req)
	if err != nil {
		return err
	}
	if !res.IsSuccess() {
		return &FinalResponseError{Code: res.StatusCode, Reason: res.Reason, Accept: headerValues(res, "Accept")}
	}
	return nil
}
