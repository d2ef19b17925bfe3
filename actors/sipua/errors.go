package sipua

import (
	"errors"

	"github.com/emiago/sipgo"
)

var (
	// ErrListen: the SIP socket could not be bound (port in use, address not local).
	ErrListen = errors.New("sipua: cannot listen")
	// ErrTimeout: no final answer to the INVITE in time (Timer B, or the INVITE timeout).
	ErrTimeout = errors.New("sipua: no answer")
	// ErrForceCancel, as the cause of cancelling an INVITE's context, abandons the INVITE without
	// a CANCEL: for when no provisional came yet, so CANCEL is not allowed.
	ErrForceCancel = sipgo.WaitAnswerForceCancelErr
)
