package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/actors/call"
	"github.com/sipcast/sipcast/actors/registry"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// SendDTMF plays digits into an established call and returns, once every digit was sent, how
// they went (RFC2833, INBAND or INFO: RFC2833 falls back to INBAND or INFO). An unknown call is
// registry.ErrNotFound; a call that is known but not established (ringing, or ended and still
// shown) is call.ErrNotEstablished.
func (e *Engine) SendDTMF(ctx context.Context, callID, digits, kind string) (string, error) {
	calls, err := e.Find(ctx, map[string]any{"callId": callID})
	if err != nil {
		return "", err
	}
	if len(calls) == 0 {
		return "", fmt.Errorf("%w: no call with callId %q", registry.ErrNotFound, callID)
	}
	pid := e.Lookup(callID)
	if pid == nil || callapi.Ended(calls[0].Status) {
		return "", fmt.Errorf("%w: call %q is %s", call.ErrNotEstablished, callID, calls[0].Status)
	}
	res, err := e.System.Root.RequestFuture(pid, &call.SendDTMF{Digits: digits, Type: kind},
		call.DTMFTimeout(len(digits))).Result()
	if errors.Is(err, actor.ErrDeadLetter) {
		return "", fmt.Errorf("%w: call %q ended", call.ErrNotEstablished, callID)
	}
	if err != nil {
		return "", fmt.Errorf("%w: %v", registry.ErrUnavailable, err)
	}
	r := res.(*call.SendDTMFResponse)
	switch r.Code {
	case call.DTMFSent:
		return r.Type, nil
	case call.DTMFNotEstablished:
		return "", fmt.Errorf("%w: %s", call.ErrNotEstablished, r.Message)
	case call.DTMFNotNegotiated:
		return "", fmt.Errorf("%w: %s", call.ErrDTMFNotNegotiated, r.Message)
	}
	return "", fmt.Errorf("%w: %s", call.ErrDTMFFailed, r.Message)
}
